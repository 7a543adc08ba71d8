import { randomBytes } from 'node:crypto';
import type { JobDto, JobKind } from '../../shared/api/dto.ts';
import type { ProgressEvent, ProgressListener } from '../../shared/progress.ts';
import { toApiError } from './errors.ts';
import type { EventHub } from './event-hub.ts';

export interface JobContext {
  signal: AbortSignal;
  onProgress: ProgressListener;
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
/** Finished jobs kept for the activity history. */
const HISTORY = 100;

/**
 * Long work runs as jobs: start() returns an id at once, progress and the
 * outcome arrive as 'job.updated' events, jobs can be listed (a reopened
 * window sees running ones) and cancelled.
 */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly events: EventHub;

  constructor(events: EventHub) {
    this.events = events;
  }

  start(kind: JobKind, title: string, work: JobWork): string {
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
    };
    const job: Job = { dto, controller, lastEmit: 0, done: Promise.resolve() };
    this.jobs.set(id, job);
    const onProgress = (progress: ProgressEvent) => {
      job.dto.progress = progress;
      const now = Date.now();
      if (now - job.lastEmit >= PROGRESS_INTERVAL_MS || progress.phase === 'done') {
        job.lastEmit = now;
        this.publish(job);
      }
    };
    this.publish(job);
    job.done = (async () => {
      try {
        const summary = await work({ signal: controller.signal, onProgress });
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

  /** Cancels every running job and waits for them (cleanup of helpers and temporary volumes included). */
  async shutdown(): Promise<void> {
    for (const job of this.jobs.values()) job.controller.abort();
    await Promise.allSettled([...this.jobs.values()].map((j) => j.done));
  }

  private publish(job: Job): void {
    this.events.emit('job.updated', structuredClone(job.dto));
  }

  private trimHistory(): void {
    const finished = [...this.jobs.values()].filter((j) => j.dto.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - HISTORY))) this.jobs.delete(job.dto.id);
  }
}
