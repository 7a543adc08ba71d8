import { create } from 'zustand';
import type { JobDto } from '../../shared/api/dto.ts';
import { api } from '../api/api.ts';
import { errorText } from '../api/error-text.ts';

export interface JobsState {
  /** Newest first; null until the first list arrives. */
  jobs: JobDto[] | null;
  loading: boolean;
  /** Why the list could not be loaded, for people; or null. */
  error: string | null;
  /** Jobs whose cancel request is on its way or waiting for the engine to stop them. */
  cancelling: Record<string, true>;
  /** Why cancelling a job failed, by job id. */
  cancelErrors: Record<string, string>;
  load(): Promise<void>;
  /** Applies every `job.updated` event; returns the unsubscribe. Call it before load(). */
  watch(): () => void;
  cancel(jobId: string): Promise<void>;
}

const byNewest = (a: JobDto, b: JobDto) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id);

/**
 * Which of two states of one job to keep. A finished job never goes back to
 * running; otherwise the later-received one wins.
 */
function newer(current: JobDto | undefined, incoming: JobDto): JobDto {
  if (!current) return incoming;
  if (current.state !== 'running' && incoming.state === 'running') return current;
  return incoming;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

let latestRequest = 0;
/** Events received while a list request was on its way: they are fresher than the list. */
let pending = new Map<string, JobDto>();

function upsert(jobs: JobDto[], job: JobDto): JobDto[] {
  const at = jobs.findIndex((j) => j.id === job.id);
  return at < 0 ? [job, ...jobs].sort(byNewest) : jobs.with(at, newer(jobs[at], job));
}

function withoutFinished(cancelling: Record<string, true>, jobs: JobDto[]): Record<string, true> {
  let next = cancelling;
  for (const job of jobs) if (job.state !== 'running') next = without(next, job.id);
  return next;
}

/**
 * Every running and finished job of the engine: the list once, then
 * `job.updated` events (progress is pushed, never polled).
 */
export const useJobsStore = create<JobsState>()((set, get) => ({
  jobs: null,
  loading: false,
  error: null,
  cancelling: {},
  cancelErrors: {},

  async load() {
    const request = ++latestRequest;
    pending = new Map();
    set({ loading: true });
    try {
      const listed = await api().call('jobs.list', {});
      if (request !== latestRequest) return;
      const byId = new Map(listed.map((j) => [j.id, j]));
      for (const [id, event] of pending) byId.set(id, newer(byId.get(id), event));
      pending = new Map();
      const jobs = [...byId.values()].sort(byNewest);
      set((s) => ({ jobs, loading: false, error: null, cancelling: withoutFinished(s.cancelling, jobs) }));
    } catch (err) {
      if (request !== latestRequest) return;
      set({ loading: false, error: errorText(err) });
    }
  },

  watch() {
    return api().on('job.updated', (job) => {
      if (get().loading) pending.set(job.id, newer(pending.get(job.id), job));
      set((s) => ({
        // Before the first list arrives the events wait in `pending`.
        jobs: s.jobs ? upsert(s.jobs, job) : s.loading ? null : [job],
        cancelling: withoutFinished(s.cancelling, [job]),
      }));
    });
  },

  async cancel(jobId) {
    if (get().cancelling[jobId]) return;
    set((s) => ({ cancelling: { ...s.cancelling, [jobId]: true }, cancelErrors: without(s.cancelErrors, jobId) }));
    try {
      const { cancelled } = await api().call('jobs.cancel', { jobId });
      const job = get().jobs?.find((j) => j.id === jobId);
      // Not cancelled: it had already finished, and its last event says how.
      if (!cancelled || (job && job.state !== 'running')) set((s) => ({ cancelling: without(s.cancelling, jobId) }));
    } catch (err) {
      set((s) => ({ cancelling: without(s.cancelling, jobId), cancelErrors: { ...s.cancelErrors, [jobId]: errorText(err) } }));
    }
  },
}));
