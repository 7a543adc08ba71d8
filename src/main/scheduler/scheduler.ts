import type { ScheduleInput, ScheduleStatus } from '../../shared/schedule.ts';
import { DvomError } from '../engine/errors.ts';
import { appRunner, type ScheduleRunner } from './app-runner.ts';
import { systemClock, type Clock } from './clock.ts';
import { collectDue } from './due-runs.ts';
import { HostLock } from './host-lock.ts';
import { RunStateFile, runStatePath } from './run-state.ts';
import { prepareScheduleBackup, saveWithBackupCheck } from '../services/schedule-backup.ts';
import { findSchedule, parseSchedule, removeSchedule, requireTarget, saveSchedule, setScheduleEnabled, setSchedulesPaused } from './schedule-config.ts';
import { ScheduleRuns, type RunFinishedListener, type SchedulerState } from './schedule-runs.ts';
import { scheduleStatus } from './schedule-status.ts';
import type { SchedulerHost } from './scheduler-host.ts';

export type { RunFinishedListener, SchedulerState } from './schedule-runs.ts';
export type { SchedulerHost } from './scheduler-host.ts';

export interface SchedulerOptions {
  clock?: Clock;
  /** The work of a run (tests pass a fake); by default backup, retention and test restore for real. */
  runner?: ScheduleRunner;
  /** The run-state file; by default $DVOM_STATE, else next to the config (resolved on first use). */
  stateFile?: string;
}

/** Timers never reach further than this: the config is re-read and a late (slept-through) timer noticed. */
const HEARTBEAT_MS = 60_000;

/**
 * Runs the schedules of the config in the host process (Electron main or
 * `dvom serve`). On each tick it re-reads the config and the run state, runs
 * what is due as a backup job, and sets one timer for the next run time (at
 * most a minute ahead). Missed run times (host off, computer asleep, a timer
 * firing late) collapse into one catch-up run, or a 'skipped' record when
 * catch-up is off. A run due while the previous one on the same backup is
 * still going is skipped and recorded, never queued. Only the process that
 * holds the host lock runs schedules; another one only shows them.
 */
export class Scheduler {
  private readonly host: SchedulerHost;
  private readonly clock: Clock;
  private readonly runs: ScheduleRuns;
  private readonly stateFileOption: string | undefined;
  private stateFile: RunStateFile | undefined;
  private hostLock: HostLock | undefined;
  private started = false;
  /** This process holds the host lock: it runs the schedules (else another DVOM process does). */
  private active = false;
  private cancelTimer: (() => void) | undefined;
  private wakeAt: number | undefined;
  private ticking: Promise<void> | undefined;
  private tickAgain = false;

  constructor(host: SchedulerHost, options: SchedulerOptions = {}) {
    this.host = host;
    this.clock = options.clock ?? systemClock;
    this.stateFileOption = options.stateFile;
    const changed = () => this.host.events.emit('schedules.changed', {});
    this.runs = new ScheduleRuns(host, this.clock, options.runner ?? appRunner(host), () => this.runState, changed);
  }

  get runState(): RunStateFile {
    this.stateFile ??= new RunStateFile(this.stateFileOption ?? runStatePath(), this.host.log);
    return this.stateFile;
  }

  /** Starts running schedules; resolves after the first check (which runs missed ones once). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.hostLock ??= new HostLock(`${this.runState.file}.host`);
    this.kick();
    await this.ticking;
  }

  /** Stops the timers; runs in progress go on (DvomApp.shutdown cancels them). */
  async stop(): Promise<void> {
    this.started = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.ticking;
    if (this.active) await this.hostLock?.release().catch(() => undefined);
    this.active = false;
  }

  /** Resolves when no check is in progress and (unless `runs: false`) every run has finished and been recorded. */
  async idle(options: { runs?: boolean } = {}): Promise<void> {
    for (;;) {
      const waits = [...(this.ticking ? [this.ticking] : []), ...(options.runs === false ? [] : this.runs.inFlight())];
      if (!waits.length) return;
      await Promise.allSettled(waits);
    }
  }

  state(): SchedulerState {
    return this.runs.state();
  }

  /** Whether the named schedule (or, without a name, any) is running now. */
  isRunning(name?: string): boolean {
    return this.runs.isRunning(name);
  }

  onRunFinished(listener: RunFinishedListener): () => void {
    return this.runs.onRunFinished(listener);
  }

  onStateChange(listener: (state: SchedulerState) => void): () => void {
    return this.runs.onStateChange(listener);
  }

  async status(): Promise<{ paused: boolean; schedules: ScheduleStatus[] }> {
    const [config, doc] = await Promise.all([this.host.config(), this.runState.read()]);
    const now = this.clock.now();
    const schedules = await Promise.all(config.schedules.map((s) => scheduleStatus(this.host, s, { config, doc, now, running: this.isRunning(s.name) })));
    return { paused: config.schedulesPaused, schedules };
  }

  async statusOf(name: string): Promise<ScheduleStatus> {
    const [config, doc] = await Promise.all([this.host.config(), this.runState.read()]);
    return scheduleStatus(this.host, findSchedule(config, name), { config, doc, now: this.clock.now(), running: this.isRunning(name) });
  }

  /**
   * Adds a schedule or replaces the one of its name (or, with `replaces`,
   * renames that one). `password`: of the new encrypted backup its first run
   * creates (kept in the keychain). An enabled schedule whose encrypted
   * backup's password is not remembered is refused (PASSWORD_NOT_REMEMBERED).
   */
  async save(input: ScheduleInput, replaces?: string, password?: string): Promise<ScheduleStatus> {
    const parsed = parseSchedule(input);
    requireTarget(await this.host.config(), parsed);
    const store = await this.host.store(parsed.target);
    const schedule = await saveWithBackupCheck(store, this.host.secrets, parsed, { password }, () => saveSchedule(parsed, { replaces }, this.runState));
    this.configChanged();
    return this.statusOf(schedule.name);
  }

  async remove(name: string): Promise<void> {
    await removeSchedule(name, this.runState);
    this.configChanged();
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleStatus> {
    if (enabled) {
      const schedule = findSchedule(await this.host.config(), name);
      await prepareScheduleBackup(await this.host.store(schedule.target), this.host.secrets, { ...schedule, enabled });
    }
    await setScheduleEnabled(name, enabled);
    this.configChanged();
    return this.statusOf(name);
  }

  async setPaused(paused: boolean): Promise<void> {
    await setSchedulesPaused(paused);
    this.configChanged();
  }

  /** Runs a schedule now (also a disabled or paused one), as a job; does not move its next run time. */
  async runNow(name: string): Promise<string> {
    const schedule = findSchedule(await this.host.config(), name);
    const busy = this.runs.busyWith(schedule);
    if (busy) {
      throw new DvomError('LOCKED', `backup '${schedule.backup}' is being written by schedule '${busy}' right now; try again when it has finished`);
    }
    return this.runs.launch(schedule);
  }

  /** Re-reads the config and the run state soon (after a change made here or elsewhere). */
  kick(): void {
    if (!this.started) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.tickLoop();
  }

  private configChanged(): void {
    this.host.events.emit('schedules.changed', {});
    this.kick();
  }

  private async tickLoop(): Promise<void> {
    try {
      do {
        this.tickAgain = false;
        try {
          await this.tick();
        } catch (err) {
          this.host.log(`Scheduler: ${(err as Error).message}`);
        }
      } while (this.tickAgain && this.started);
    } finally {
      this.ticking = undefined;
      this.arm();
    }
  }

  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (!this.started) return;
    const now = this.clock.now().getTime();
    const at = Math.min(this.wakeAt ?? Infinity, now + HEARTBEAT_MS);
    this.cancelTimer = this.clock.setTimer(new Date(at), () => {
      this.cancelTimer = undefined;
      this.kick();
    });
  }

  private async claimHost(): Promise<void> {
    const claim = await this.hostLock!.claim();
    if (claim.held !== this.active) {
      this.host.log(
        claim.held ? 'Schedules run in this process' : `Schedules run in another DVOM process (pid ${claim.pid} on ${claim.host}); this one only shows them`,
      );
    }
    this.active = claim.held;
  }

  private async tick(): Promise<void> {
    this.wakeAt = undefined;
    await this.claimHost();
    const now = this.clock.now();
    const config = await this.host.config();
    if (!this.active) {
      // Another process runs the schedules and keeps their state: only read it.
      this.runs.remember(config, await this.runState.read());
      return;
    }
    let collected: ReturnType<typeof collectDue> = { due: [], wake: now.getTime() + HEARTBEAT_MS };
    const doc = await this.runState.update((doc) => {
      collected = collectDue(doc, config, now, now.getTime() + HEARTBEAT_MS, this.host.log);
    });
    this.runs.remember(config, doc);
    this.wakeAt = collected.wake;
    for (const due of collected.due) await this.runs.handleDue(due);
  }
}
