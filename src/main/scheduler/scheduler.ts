import type { JobDto } from '../../shared/api/dto.ts';
import { formatDate } from '../../shared/format.ts';
import type { Schedule, ScheduleInput, ScheduleRun, ScheduleStatus } from '../../shared/schedule.ts';
import type { DvomApp } from '../app/dvom-app.ts';
import type { DvomConfig } from '../config/config-schema.ts';
import { DvomError } from '../engine/errors.ts';
import { appRunner, type ScheduleRunner } from './app-runner.ts';
import { backupAccess, passwordMissing } from '../services/unattended.ts';
import { systemClock, type Clock } from './clock.ts';
import { HostLock } from './host-lock.ts';
import { latestRunTime, nextRunAfter } from './next-run.ts';
import { RunStateFile, runStatePath, type RunStateDoc } from './run-state.ts';
import { findSchedule, removeSchedule, saveSchedule, setScheduleEnabled, setSchedulesPaused } from './schedule-config.ts';
import { isFailing, nextDue, reconcile, recordRun, shownNextRun, testRestoreDue } from './schedule-entry.ts';

/** Overall state, for a tray icon: a run in progress, else whether an enabled schedule's last real run failed. */
export type SchedulerState = 'idle' | 'running' | 'failed';

/** Called after every recorded run: succeeded, failed, or skipped (overlap, missed without catch-up, cancelled). */
export type RunFinishedListener = (schedule: Schedule, run: ScheduleRun) => void;

/** What the scheduler uses of the app. */
export type SchedulerHost = Pick<DvomApp, 'config' | 'store' | 'secrets' | 'jobs' | 'events' | 'log' | 'docker'>;

export interface SchedulerOptions {
  clock?: Clock;
  /** The work of a run (tests pass a fake); by default backup, retention and test restore for real. */
  runner?: ScheduleRunner;
  /** The run-state file; by default $DVOM_STATE, else next to the config (resolved on first use). */
  stateFile?: string;
}

/** Timers never reach further than this: the config is re-read and a late (slept-through) timer noticed. */
const HEARTBEAT_MS = 60_000;
/** A run time passed by more than this counts as missed (host off or asleep), for schedules without catch-up. */
const GRACE_MS = 5 * 60_000;

interface ActiveRun {
  schedule: string;
  jobId: string;
}

/** One run at a time per backup: a backup is its name in its store. */
const backupKey = (s: Schedule) => `${s.target ?? ''}\0${s.backup}`;

/**
 * Runs the schedules of the config in the host process (Electron main or
 * `dvom serve`). On each tick it re-reads the config and the run state, runs
 * what is due as a backup job, and sets one timer for the next run time (at
 * most a minute ahead). Missed run times (host off, computer asleep, a timer
 * firing late) collapse into one catch-up run, or a 'skipped' record when
 * catch-up is off. A run due while the previous one on the same backup is
 * still going is skipped and recorded, never queued.
 */
export class Scheduler {
  private readonly host: SchedulerHost;
  private readonly clock: Clock;
  private readonly runner: ScheduleRunner;
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
  private readonly runs = new Map<string, ActiveRun>();
  private readonly pending = new Set<Promise<void>>();
  private failing = new Set<string>();
  private readonly finishedListeners = new Set<RunFinishedListener>();
  private readonly stateListeners = new Set<(state: SchedulerState) => void>();
  private lastState: SchedulerState = 'idle';

  constructor(host: SchedulerHost, options: SchedulerOptions = {}) {
    this.host = host;
    this.clock = options.clock ?? systemClock;
    this.runner = options.runner ?? appRunner(host);
    this.stateFileOption = options.stateFile;
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
      const waits = [...(this.ticking ? [this.ticking] : []), ...(options.runs === false ? [] : this.pending)];
      if (!waits.length) return;
      await Promise.allSettled(waits);
    }
  }

  state(): SchedulerState {
    if (this.runs.size) return 'running';
    return this.failing.size ? 'failed' : 'idle';
  }

  /** Whether the named schedule (or, without a name, any) is running now. */
  isRunning(name?: string): boolean {
    return [...this.runs.values()].some((r) => name === undefined || r.schedule === name);
  }

  onRunFinished(listener: RunFinishedListener): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  onStateChange(listener: (state: SchedulerState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  async status(): Promise<{ paused: boolean; schedules: ScheduleStatus[] }> {
    const [config, doc] = await Promise.all([this.host.config(), this.runState.read()]);
    const now = this.clock.now();
    return { paused: config.schedulesPaused, schedules: await Promise.all(config.schedules.map((s) => this.describe(s, config, doc, now))) };
  }

  async statusOf(name: string): Promise<ScheduleStatus> {
    const [config, doc] = await Promise.all([this.host.config(), this.runState.read()]);
    return this.describe(findSchedule(config, name), config, doc, this.clock.now());
  }

  /** Adds a schedule or replaces the one of its name (or, with `replaces`, renames that one). */
  async save(input: ScheduleInput, replaces?: string): Promise<ScheduleStatus> {
    const schedule = await saveSchedule(input, { replaces }, this.runState);
    this.configChanged();
    return this.statusOf(schedule.name);
  }

  async remove(name: string): Promise<void> {
    await removeSchedule(name, this.runState);
    this.configChanged();
  }

  async setEnabled(name: string, enabled: boolean): Promise<ScheduleStatus> {
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
    const busy = this.runs.get(backupKey(schedule));
    if (busy) {
      throw new DvomError('LOCKED', `backup '${schedule.backup}' is being written by schedule '${busy.schedule}' right now; try again when it has finished`);
    }
    return this.launch(schedule);
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
      this.remember(config, await this.runState.read());
      return;
    }
    const due: { schedule: Schedule; slot: Date; late: boolean }[] = [];
    let wake = now.getTime() + HEARTBEAT_MS;
    const doc = await this.runState.update((doc) => {
      const resumed = doc.paused && !config.schedulesPaused;
      doc.paused = config.schedulesPaused;
      for (const schedule of config.schedules) {
        const entry = reconcile(doc.schedules[schedule.name], schedule, now, resumed);
        doc.schedules[schedule.name] = entry;
        if (config.schedulesPaused || !schedule.enabled) continue;
        try {
          const next = nextDue(schedule, entry);
          if (next > now) {
            wake = Math.min(wake, next.getTime());
            continue;
          }
          // However many run times were missed, they collapse into the latest one.
          const slot = latestRunTime(schedule.when, next, now);
          entry.lastSlot = slot.toISOString();
          due.push({ schedule, slot, late: now.getTime() - slot.getTime() > GRACE_MS });
          wake = Math.min(wake, nextRunAfter(schedule.when, slot).getTime());
        } catch (err) {
          this.host.log(`Schedule '${schedule.name}' cannot run: ${(err as Error).message}`);
        }
      }
    });
    this.remember(config, doc);
    this.wakeAt = wake;
    for (const { schedule, slot, late } of due) await this.handleDue(schedule, slot, late);
  }

  private async handleDue(schedule: Schedule, slot: Date, late: boolean): Promise<void> {
    const at = this.clock.now().toISOString();
    const when = formatDate(slot.toISOString());
    if (late && !schedule.catchUp) {
      await this.record(schedule, { at, outcome: 'skipped', message: `Missed the run of ${when} (DVOM was not running or the computer was asleep); catch-up is off` });
      return;
    }
    const busy = this.runs.get(backupKey(schedule));
    if (busy) {
      const who = busy.schedule === schedule.name ? 'its previous run' : `schedule '${busy.schedule}'`;
      await this.record(schedule, { at, outcome: 'skipped', message: `Skipped the run of ${when}: ${who} was still writing backup '${schedule.backup}'` });
      return;
    }
    if (late) this.host.log(`Schedule '${schedule.name}': catching up the run of ${when}, missed while DVOM was not running or the computer was asleep`);
    this.launch(schedule);
  }

  private launch(schedule: Schedule): string {
    const key = backupKey(schedule);
    const at = this.clock.now().toISOString();
    const log = (m: string) => this.host.log(`Schedule '${schedule.name}': ${m}`);
    const jobId = this.host.jobs.start('backup', `Scheduled backup ${schedule.name}`, async ({ signal, onProgress }) => {
      const access = await backupAccess(await this.host.store(schedule.target), this.host.secrets, schedule.backup);
      const entry = (await this.runState.read()).schedules[schedule.name];
      return this.runner(schedule, { ...access, testRestore: testRestoreDue(schedule, entry), signal, onProgress, log });
    });
    this.runs.set(key, { schedule: schedule.name, jobId });
    const done = this.host.jobs
      .wait(jobId)
      .then(async (job) => {
        this.runs.delete(key);
        await this.record(schedule, job ? outcomeOf(job, at) : { at, outcome: 'failed', message: 'the job was lost' });
      })
      .catch((err: unknown) => log(`could not record the run: ${(err as Error).message}`))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
    this.host.events.emit('schedules.changed', {});
    this.notifyState();
    return jobId;
  }

  private async record(schedule: Schedule, run: ScheduleRun): Promise<void> {
    // A schedule removed or renamed while it ran leaves no state behind under its old name.
    const exists = (await this.host.config()).schedules.some((s) => s.name === schedule.name);
    const doc = exists ? await this.runState.update((d) => recordRun(d, schedule, run, this.clock.now())) : undefined;
    if (schedule.enabled && isFailing(doc?.schedules[schedule.name])) this.failing.add(schedule.name);
    else this.failing.delete(schedule.name);
    this.host.log(`Schedule '${schedule.name}' ${run.outcome}: ${run.message}`);
    this.host.events.emit('schedules.changed', {});
    this.notifyState();
    for (const listener of this.finishedListeners) {
      try {
        listener(schedule, run);
      } catch (err) {
        this.host.log(`Scheduler: a run listener failed: ${(err as Error).message}`);
      }
    }
  }

  private remember(config: DvomConfig, doc: RunStateDoc): void {
    this.failing = new Set(config.schedules.filter((s) => s.enabled && isFailing(doc.schedules[s.name])).map((s) => s.name));
    this.notifyState();
  }

  private notifyState(): void {
    const state = this.state();
    if (state === this.lastState) return;
    this.lastState = state;
    for (const listener of this.stateListeners) {
      try {
        listener(state);
      } catch (err) {
        this.host.log(`Scheduler: a state listener failed: ${(err as Error).message}`);
      }
    }
  }

  private async describe(schedule: Schedule, config: DvomConfig, doc: RunStateDoc, now: Date): Promise<ScheduleStatus> {
    const missing = await this.host.store(schedule.target).then(
      (store) => passwordMissing(store, this.host.secrets, schedule.backup),
      () => false,
    );
    return {
      ...schedule,
      nextRun: shownNextRun(schedule, doc, config.schedulesPaused, now),
      lastRun: doc.schedules[schedule.name]?.lastRun ?? null,
      running: this.isRunning(schedule.name),
      passwordMissing: missing,
    };
  }
}

/** A finished job as a run: a backup locked by another process, or a cancelled run, was skipped, not failed. */
function outcomeOf(job: JobDto, at: string): ScheduleRun {
  if (job.state === 'succeeded') return { at, outcome: 'succeeded', message: job.result ?? 'done' };
  if (job.state === 'cancelled') return { at, outcome: 'skipped', message: 'Cancelled' };
  if (job.error?.code === 'LOCKED') return { at, outcome: 'skipped', message: `Skipped: ${job.error.message}` };
  return { at, outcome: 'failed', message: job.error?.message ?? 'failed' };
}
