/**
 * A DvomApp whose scheduler runs on a TestClock with a fake runner: a real
 * config file, run-state file, store (unencrypted backup 'b1' and encrypted
 * 'enc') and JobManager; only the work of a run is faked.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ScheduleInput, ScheduleRun } from '../../src/shared/schedule.ts';
import { writeConfig } from '../../src/main/config/config-file.ts';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { Repository } from '../../src/main/engine/repo/repository.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { DvomError } from '../../src/main/engine/errors.ts';
import type { ScheduleRunner } from '../../src/main/scheduler/app-runner.ts';
import { TestClock } from '../../src/main/scheduler/clock.ts';
import { RunStateFile, type RunStateDoc } from '../../src/main/scheduler/run-state.ts';
import { MemorySecretStore } from '../api/transports.ts';

export const ENC_PASSWORD = 'scheduler test password';

export interface RunCall {
  schedule: string;
  at: string;
  testRestore: boolean;
  password: string | undefined;
}

/** Records calls; can hold runs until released, or fail them. */
export class FakeRunner {
  readonly calls: RunCall[] = [];
  hold = false;
  failWith: DvomError | undefined;
  private readonly waiting: (() => void)[] = [];
  private readonly clock: TestClock;

  constructor(clock: TestClock) {
    this.clock = clock;
  }

  private readonly callWaiters: (() => void)[] = [];

  readonly run: ScheduleRunner = async (schedule, ctx) => {
    this.calls.push({ schedule: schedule.name, at: this.clock.now().toISOString(), testRestore: ctx.testRestore, password: ctx.password });
    for (const wake of this.callWaiters.splice(0)) wake();
    const n = this.calls.length;
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.failWith) throw this.failWith;
    return `fake run ${n}${ctx.testRestore ? ' with test restore' : ''}`;
  };

  /** Resolves once the runner has been called `n` times in all (the run's checks come first). */
  async calledTimes(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((resolve) => this.callWaiters.push(resolve));
  }

  /** Lets held runs finish; later runs are not held. */
  release(): void {
    this.hold = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

export interface Fixture {
  app: DvomApp;
  clock: TestClock;
  runner: FakeRunner;
  secrets: MemorySecretStore;
  state: RunStateFile;
  /** Every recorded run, in order, from onRunFinished. */
  finished: { schedule: string; run: ScheduleRun }[];
  events: number;
  /** Moves the clock (firing due timers) and waits for the scheduler to settle (runs included unless told). */
  moveTo(time: string, options?: { jump?: boolean; runs?: boolean }): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export async function createFixture(options: {
  now: string;
  schedules: ScheduleInput[];
  paused?: boolean;
  state?: RunStateDoc;
  /** Start the scheduler (default true). */
  start?: boolean;
  /** Share the config and state of another fixture (a second host). */
  dir?: string;
}): Promise<Fixture & { dir: string }> {
  const dir = options.dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), `dvom-sched-${process.pid}-${counter++}-`)));
  process.env.DVOM_CONFIG = path.join(dir, 'config.json');
  const storeDir = path.join(dir, 'store');
  const stateFile = path.join(dir, 'schedule-state.json');
  if (!options.dir) {
    await writeConfig({ version: 1, targets: {}, schedules: options.schedules, schedulesPaused: options.paused ?? false });
    const store = new LocalBackend(storeDir);
    await Repository.create(store, 'b1', { encrypted: false });
    await Repository.create(store, 'b2', { encrypted: false });
    await Repository.create(store, 'enc', { encrypted: true, credential: { kind: 'password', password: ENC_PASSWORD }, scrypt: { N: 1024, r: 8, p: 1 } });
  }
  const state = new RunStateFile(stateFile);
  if (options.state) await state.update((doc) => Object.assign(doc, structuredClone(options.state)));
  const clock = new TestClock(options.now);
  const runner = new FakeRunner(clock);
  const secrets = new MemorySecretStore();
  const app = new DvomApp({ secrets, storeSelection: { backupDir: storeDir }, scheduler: { clock, runner: runner.run, stateFile } });
  const fixture: Fixture & { dir: string } = {
    dir,
    app,
    clock,
    runner,
    secrets,
    state,
    finished: [],
    events: 0,
    async moveTo(time, move = {}) {
      clock.set(time, move.jump ? { jump: true } : {});
      await app.scheduler.idle({ runs: move.runs ?? true });
    },
    async close() {
      await app.shutdown();
      if (!options.dir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
  app.scheduler.onRunFinished((schedule, run) => fixture.finished.push({ schedule: schedule.name, run }));
  app.events.subscribe((event) => {
    if (event === 'schedules.changed') fixture.events++;
  });
  if (options.start !== false) {
    await app.scheduler.start();
    await app.scheduler.idle();
  }
  return fixture;
}

/** A schedule with test defaults. */
export function schedule(name: string, when: ScheduleInput['when'], extra: Partial<ScheduleInput> = {}): ScheduleInput {
  return { name, volumes: ['v1'], backup: 'b1', when, ...extra };
}
