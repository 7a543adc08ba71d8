import { randomBytes } from 'node:crypto';
import type { JobDto, JobKind } from '../../shared/api/dto.ts';
import type { ProgressEvent, ProgressListener } from '../../shared/progress.ts';
import { toApiError } from './errors.ts';
import type { EventHub } from './event-hub.ts';
import { HISTORY_LIMIT, type JobHistoryFile } from './job-history.ts';

export interface JobContext {
  signal: AbortSignal;
  onProgress: ProgressListener;
  /** Records how long stopped containers were down (shown with the finished job). */
  containersDown: (ms: number) => void;
}

export interface JobOptions {
  /** The target named for the job, kept with it in the history. */
  target?: string | undefined;
  /** The backup it works on, and the schedule whose run it is: kept with it for links and Retry. */
  backup?: string | undefined;
  schedule?: string | undefined;
}

/** The work of a job; resolves to a one-line summary of its outcome. */
export type JobWork = (ctx: JobContext) => Promise<string>;

interface Job {
  dto: JobDto;
  controller: AbortController;
  lastEmit: number;
  done: Promise<void>;
}

/** Progress events per job are sent at most this often (the engine emits more). */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Long work runs as jobs: start() returns an id at once, progress and the
 * outcome arrive as 'job.updated' events, jobs can be listed (a reopened
 * window sees running ones) and cancelled.
 */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly events: EventHub;
  private readonly history: JobHistoryFile | undefined;
  /** Resolves once the saved history is loaded (list() before that shows only this run's jobs). */
  readonly ready: Promise<void>;

  /** With `history`, finished jobs are saved there and the saved ones are listed again after a restart. */
  constructor(events: EventHub, history?: JobHistoryFile) {
    this.events = events;
    this.history = history;
    this.ready = history ? this.loadHistory(history) : Promise.resolve();
  }

  private async loadHistory(history: JobHistoryFile): Promise<void> {
    const saved = await history.load();
    const current = [...this.jobs.entries()];
    this.jobs.clear();
    // Saved jobs are older than any started in this run: they go first (list() is newest first).
    for (const dto of saved) {
      if (!current.some(([id]) => id === dto.id)) this.jobs.set(dto.id, { dto, controller: new AbortController(), lastEmit: 0, done: Promise.resolve() });
    }
    for (const [id, job] of current) this.jobs.set(id, job);
    this.trimHistory();
  }

  start(kind: JobKind, title: string, work: JobWork, options: JobOptions = {}): string {
    const id = `job-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const dto: JobDto = {
      id,
      kind,
      title,
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      progress: null,
      result: null,
      error: null,
      ...(options.target ? { target: options.target } : {}),
      ...(options.backup ? { backup: options.backup } : {}),
      ...(options.schedule ? { schedule: options.schedule } : {}),
    };
    const job: Job = { dto, controller, lastEmit: 0, done: Promise.resolve() };
    this.jobs.set(id, job);
    const onProgress = (progress: ProgressEvent) => {
      const before = job.dto.progress;
      job.dto.progress = progress;
      const now = Date.now();
      // A new phase or subject is always sent: "Stopping db…" must not be skipped for being quick.
      const changed = before?.phase !== progress.phase || before?.subject !== progress.subject;
      if (now - job.lastEmit >= PROGRESS_INTERVAL_MS || changed) {
        job.lastEmit = now;
        this.publish(job);
      }
    };
    this.publish(job);
    job.done = (async () => {
      try {
        const containersDown = (ms: number) => (job.dto.containersDownMs = Math.max(0, Math.round(ms)));
        const summary = await work({ signal: controller.signal, onProgress, containersDown });
        job.dto.state = 'succeeded';
        job.dto.result = summary;
      } catch (err) {
        const error = toApiError(err);
        job.dto.state = controller.signal.aborted || error.code === 'CANCELLED' ? 'cancelled' : 'failed';
        job.dto.error = error;
      }
      job.dto.finishedAt = new Date().toISOString();
      this.publish(job);
      this.trimHistory();
      await this.history?.add(job.dto);
    })();
    return id;
  }

  list(): JobDto[] {
    return [...this.jobs.values()].map((j) => structuredClone(j.dto)).reverse();
  }

  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.dto.state !== 'running') return false;
    job.controller.abort();
    return true;
  }

  /** Resolves when the job has finished (for tests and for quitting cleanly). */
  async wait(id: string): Promise<JobDto | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    await job.done;
    return structuredClone(job.dto);
  }

  running(): JobDto[] {
    return this.list().filter((j) => j.state === 'running');
  }

  /** Cancels every running job and waits for them (cleanup of helpers and temporary volumes included, and their history saved). */
  async shutdown(): Promise<void> {
    for (const job of this.jobs.values()) job.controller.abort();
    await Promise.allSettled([...this.jobs.values()].map((j) => j.done));
    await this.history?.flushed();
  }

  private publish(job: Job): void {
    this.events.emit('job.updated', structuredClone(job.dto));
  }

  private trimHistory(): void {
    const finished = [...this.jobs.values()].filter((j) => j.dto.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - HISTORY_LIMIT))) this.jobs.delete(job.dto.id);
  }
}
