import type { JobDto } from '../../shared/api/dto.ts';
import { formatDate } from '../../shared/format.ts';
import type { Schedule, ScheduleRun } from '../../shared/schedule.ts';
import type { DvomConfig } from '../config/config-schema.ts';
import { scheduledBackupTitle } from '../services/job-titles.ts';
import { backupAccess } from '../services/unattended.ts';
import type { ScheduleRunner } from './app-runner.ts';
import type { Clock } from './clock.ts';
import type { DueRun } from './due-runs.ts';
import type { RunStateDoc, RunStateFile } from './run-state.ts';
import type { SchedulerHost } from './scheduler-host.ts';
import { isFailing, recordRun, testRestoreDue } from './schedule-entry.ts';

/** Overall state, for a tray icon: a run in progress, else whether an enabled schedule's last real run failed. */
export type SchedulerState = 'idle' | 'running' | 'failed';

/** Called after every recorded run: succeeded, failed, or skipped (overlap, missed without catch-up, cancelled). */
export type RunFinishedListener = (schedule: Schedule, run: ScheduleRun) => void;

interface ActiveRun {
  schedule: string;
  jobId: string;
}

/** One run at a time per backup: a backup is its name in its store. */
const backupKey = (s: Schedule) => `${s.target ?? ''}\0${s.backup}`;

/**
 * The runs of the schedules: started as jobs (never two on one backup),
 * recorded in the run state when they end, and the overall state and
 * listeners the tray and notifications follow.
 */
export class ScheduleRuns {
  private readonly host: SchedulerHost;
  private readonly clock: Clock;
  private readonly runner: ScheduleRunner;
  private readonly runState: () => RunStateFile;
  private readonly onChange: () => void;
  private readonly runs = new Map<string, ActiveRun>();
  private readonly pending = new Set<Promise<void>>();
  private failing = new Set<string>();
  private readonly finishedListeners = new Set<RunFinishedListener>();
  private readonly stateListeners = new Set<(state: SchedulerState) => void>();
  private lastState: SchedulerState = 'idle';

  constructor(host: SchedulerHost, clock: Clock, runner: ScheduleRunner, runState: () => RunStateFile, onChange: () => void) {
    this.host = host;
    this.clock = clock;
    this.runner = runner;
    this.runState = runState;
    this.onChange = onChange;
  }

  state(): SchedulerState {
    if (this.runs.size) return 'running';
    return this.failing.size ? 'failed' : 'idle';
  }

  /** Whether the named schedule (or, without a name, any) is running now. */
  isRunning(name?: string): boolean {
    return [...this.runs.values()].some((r) => name === undefined || r.schedule === name);
  }

  /** The schedule whose run is writing this schedule's backup now, if any. */
  busyWith(schedule: Schedule): string | undefined {
    return this.runs.get(backupKey(schedule))?.schedule;
  }

  /** Runs not yet finished and recorded. */
  inFlight(): Promise<void>[] {
    return [...this.pending];
  }

  onRunFinished(listener: RunFinishedListener): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  onStateChange(listener: (state: SchedulerState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** A due run: skipped (missed without catch-up, or its backup busy) and recorded, else started. */
  async handleDue({ schedule, slot, late }: DueRun): Promise<void> {
    const at = this.clock.now().toISOString();
    const when = formatDate(slot.toISOString());
    if (late && !schedule.catchUp) {
      await this.record(schedule, { at, outcome: 'skipped', message: `Missed the run of ${when} (DVOM was not running or the computer was asleep); catch-up is off` });
      return;
    }
    const busy = this.busyWith(schedule);
    if (busy) {
      const who = busy === schedule.name ? 'its previous run' : `schedule '${busy}'`;
      await this.record(schedule, { at, outcome: 'skipped', message: `Skipped the run of ${when}: ${who} was still writing backup '${schedule.backup}'` });
      return;
    }
    if (late) this.host.log(`Schedule '${schedule.name}': catching up the run of ${when}, missed while DVOM was not running or the computer was asleep`);
    this.launch(schedule, slot);
  }

  /** Starts a run as a job (`slot`: the run time it is for; none for Run now); it is recorded when the job ends. */
  launch(schedule: Schedule, slot?: Date): string {
    const key = backupKey(schedule);
    const now = this.clock.now();
    const at = now.toISOString();
    const log = (m: string) => this.host.log(`Schedule '${schedule.name}': ${m}`);
    const title = scheduledBackupTitle(schedule, slot ? { slot } : { startedAt: now });
    const jobId = this.host.jobs.start('backup', title, async ({ signal, onProgress, containersDown }) => {
      const access = await backupAccess(await this.host.store(schedule.target), this.host.secrets, schedule.backup, schedule.encrypt);
      const entry = (await this.runState().read()).schedules[schedule.name];
      return this.runner(schedule, { ...access, testRestore: testRestoreDue(schedule, entry), signal, onProgress, log, containersDown });
    }, { target: schedule.target, backup: schedule.backup, schedule: schedule.name });
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
    this.onChange();
    this.notifyState();
    return jobId;
  }

  /** Which enabled schedules are failing, as read from the run state (kept by this process or another). */
  remember(config: DvomConfig, doc: RunStateDoc): void {
    this.failing = new Set(config.schedules.filter((s) => s.enabled && isFailing(doc.schedules[s.name])).map((s) => s.name));
    this.notifyState();
  }

  private async record(schedule: Schedule, run: ScheduleRun): Promise<void> {
    // A schedule removed or renamed while it ran leaves no state behind under its old name.
    const exists = (await this.host.config()).schedules.some((s) => s.name === schedule.name);
    const doc = exists ? await this.runState().update((d) => recordRun(d, schedule, run, this.clock.now())) : undefined;
    if (schedule.enabled && isFailing(doc?.schedules[schedule.name])) this.failing.add(schedule.name);
    else this.failing.delete(schedule.name);
    this.host.log(`Schedule '${schedule.name}' ${run.outcome}: ${run.message}`);
    this.onChange();
    this.notifyState();
    this.tell(this.finishedListeners, 'a run listener', (listener) => listener(schedule, run));
  }

  private notifyState(): void {
    const state = this.state();
    if (state === this.lastState) return;
    this.lastState = state;
    this.tell(this.stateListeners, 'a state listener', (listener) => listener(state));
  }

  /** Calls every listener; one that throws is logged and does not stop the others. */
  private tell<L>(listeners: Set<L>, what: string, call: (listener: L) => void): void {
    for (const listener of listeners) {
      try {
        call(listener);
      } catch (err) {
        this.host.log(`Scheduler: ${what} failed: ${(err as Error).message}`);
      }
    }
  }
}

/** A finished job as a run: a backup locked by another process, or a cancelled run, was skipped, not failed. */
function outcomeOf(job: JobDto, at: string): ScheduleRun {
  if (job.state === 'succeeded') return { at, outcome: 'succeeded', message: job.result ?? 'done' };
  if (job.state === 'cancelled') return { at, outcome: 'skipped', message: 'Cancelled' };
  if (job.error?.code === 'LOCKED') return { at, outcome: 'skipped', message: `Skipped: ${job.error.message}` };
  return { at, outcome: 'failed', message: job.error?.message ?? 'failed' };
}
