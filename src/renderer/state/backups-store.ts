import { create } from 'zustand';
import type { BackupDto, JobDto, LockDto, VersionDto } from '../../shared/api/dto.ts';
import { api } from '../api/api.ts';
import { errorText } from '../api/error-text.ts';
import { targetParam, type TargetKey } from './targets-store.ts';

export interface VersionsEntry {
  /** null until the first list arrives. */
  list: VersionDto[] | null;
  loading: boolean;
  error: string | null;
}

/** A job started from the Backups page, and what it is about. */
export interface TrackedJob {
  jobId: string;
  kind: 'test-restore' | 'verify';
  backup: string;
  /** The store of the backup ('' the default). */
  target: TargetKey;
  /** The version a test restore is about. */
  version?: string;
}

export interface BackupsState {
  /**
   * The store whose backups are shown ('' the default store), here and in the
   * restore wizard; kept while the app runs.
   */
  target: TargetKey;
  /** null until the first list arrives. */
  backups: BackupDto[] | null;
  loading: boolean;
  /** A message for people, or null. */
  error: string | null;
  /** Backups whose versions are shown. */
  expanded: string[];
  versions: Record<string, VersionsEntry>;
  /** The latest state of every job this page has heard of, by id. */
  jobs: Record<string, JobDto>;
  /** Jobs started here, newest last. */
  tracked: TrackedJob[];

  load(): Promise<void>;
  /** Shows another store's backups. */
  chooseTarget(target: TargetKey): void;
  loadVersions(backup: string): Promise<void>;
  toggle(backup: string): void;
  /** Shows `target`'s backups ('' the default store) with `backup` open: where "Open backup" and an address lead. */
  open(target: TargetKey, backup?: string): void;
  /** Follows the engine's events while the page is shown; returns the unsubscribe. */
  watch(): () => void;
  /** Catches up with jobs that changed while the page was not shown. */
  syncJobs(): Promise<void>;
  /** Each rejects with the ApiError, for the caller to show or to ask for a password. */
  startTestRestore(backup: string, version: string, password?: string): Promise<string>;
  startVerify(backup: string, password?: string): Promise<string>;
  changePassword(backup: string, password: string | undefined, newPassword: string): Promise<void>;
  /** Removes the backup's stale locks (live ones too with `force`); no password needed. */
  unlock(backup: string, force: boolean): Promise<{ removed: number; live: LockDto[] }>;
  deleteBackup(backup: string): Promise<void>;
  /** What "Reclaim space" would free, changing nothing. */
  reclaimEstimate(backup: string, password?: string): Promise<{ bytesToFree: number; packsSpared: number }>;
  /** Reclaims the space (prune); resolves with the bytes freed and refreshes the list's stored sizes. */
  reclaim(backup: string, password?: string): Promise<number>;
  deleteVersion(backup: string, version: string, password?: string): Promise<void>;
}

let latestList = 0;
const latestVersions = new Map<string, number>();

export const useBackupsStore = create<BackupsState>()((set, get) => ({
  target: '',
  backups: null,
  loading: false,
  error: null,
  expanded: [],
  versions: {},
  jobs: {},
  tracked: [],

  async load() {
    const request = ++latestList;
    set({ loading: true });
    try {
      const backups = await api().call('backups.list', targetParam(get().target));
      if (request !== latestList) return;
      backups.sort((a, b) => a.name.localeCompare(b.name));
      const names = new Set(backups.map((b) => b.name));
      set((s) => ({ backups, loading: false, error: null, expanded: s.expanded.filter((n) => names.has(n)) }));
    } catch (err) {
      if (request !== latestList) return;
      set({ loading: false, error: errorText(err) });
    }
  },

  chooseTarget(target) {
    if (target === get().target) return;
    // What was shown belongs to the other store: nothing of it stays (answers still on their way are dropped).
    set({ target, backups: null, error: null, expanded: [], versions: {} });
    void get().load();
  },

  async loadVersions(backup) {
    const request = (latestVersions.get(backup) ?? 0) + 1;
    latestVersions.set(backup, request);
    const patch = (entry: Partial<VersionsEntry>) =>
      set((s) => ({ versions: { ...s.versions, [backup]: { list: null, loading: false, error: null, ...s.versions[backup], ...entry } } }));
    patch({ loading: true });
    const target = get().target;
    try {
      const list = await api().call('backups.versions', { backup, ...targetParam(target) });
      if (latestVersions.get(backup) !== request || get().target !== target) return;
      patch({ list, loading: false, error: null });
    } catch (err) {
      if (latestVersions.get(backup) !== request || get().target !== target) return;
      patch({ loading: false, error: errorText(err) });
    }
  },

  toggle(backup) {
    const open = get().expanded.includes(backup);
    set((s) => ({ expanded: open ? s.expanded.filter((n) => n !== backup) : [...s.expanded, backup] }));
    if (!open) void get().loadVersions(backup);
  },

  open(target, backup) {
    get().chooseTarget(target);
    if (backup && !get().expanded.includes(backup)) get().toggle(backup);
  },

  watch() {
    const offChanged = api().on('backups.changed', () => {
      void get().load();
      for (const backup of get().expanded) void get().loadVersions(backup);
    });
    const offJob = api().on('job.updated', (job) => set((s) => ({ jobs: { ...s.jobs, [job.id]: job } })));
    return () => {
      offChanged();
      offJob();
    };
  },

  async syncJobs() {
    if (!get().tracked.length) return;
    try {
      const list = await api().call('jobs.list', {});
      set((s) => {
        const jobs = { ...s.jobs };
        for (const job of list) jobs[job.id] = job;
        return { jobs };
      });
    } catch {
      // The next job.updated event brings the news anyway.
    }
  },

  async startTestRestore(backup, version, password) {
    const target = get().target;
    const { jobId } = await api().call('jobs.startTestRestore', { backup, version, ...targetParam(target), ...(password ? { password } : {}) });
    set((s) => ({ tracked: [...s.tracked, { jobId, kind: 'test-restore', backup, target, version }] }));
    return jobId;
  },

  async startVerify(backup, password) {
    const target = get().target;
    const { jobId } = await api().call('jobs.startVerify', { backup, readData: true, ...targetParam(target), ...(password ? { password } : {}) });
    set((s) => ({ tracked: [...s.tracked, { jobId, kind: 'verify', backup, target }] }));
    return jobId;
  },

  async changePassword(backup, password, newPassword) {
    await api().call('backups.changePassword', { backup, newPassword, ...targetParam(get().target), ...(password ? { password } : {}) });
  },

  unlock(backup, force) {
    return api().call('backups.unlock', { backup, force, ...targetParam(get().target) });
  },

  reclaimEstimate(backup, password) {
    return api().call('backups.reclaimEstimate', { backup, ...targetParam(get().target), ...(password ? { password } : {}) });
  },

  async reclaim(backup, password) {
    const { bytesFreed } = await api().call('backups.reclaim', { backup, ...targetParam(get().target), ...(password ? { password } : {}) });
    void get().load();
    return bytesFreed;
  },

  async deleteBackup(backup) {
    await api().call('backups.delete', { backup, ...targetParam(get().target) });
    set((s) => ({ expanded: s.expanded.filter((n) => n !== backup), backups: s.backups?.filter((b) => b.name !== backup) ?? null }));
    void get().load();
  },

  async deleteVersion(backup, version, password) {
    await api().call('backups.delete', { backup, version, ...targetParam(get().target), ...(password ? { password } : {}) });
    set((s) => {
      const entry = s.versions[backup];
      if (!entry?.list) return {};
      return { versions: { ...s.versions, [backup]: { ...entry, list: entry.list.filter((v) => v.id !== version) } } };
    });
    void get().load();
    void get().loadVersions(backup);
  },
}));

/** The newest job of a kind started here for a backup (and version) of the shown store, with its latest state. */
export function latestTracked(
  state: Pick<BackupsState, 'tracked' | 'jobs' | 'target'>,
  kind: TrackedJob['kind'],
  backup: string,
  version?: string,
): { tracked: TrackedJob; job: JobDto | null } | null {
  for (let i = state.tracked.length - 1; i >= 0; i--) {
    const t = state.tracked[i]!;
    if (t.kind === kind && t.backup === backup && t.target === state.target && (version === undefined || t.version === version)) {
      return { tracked: t, job: state.jobs[t.jobId] ?? null };
    }
  }
  return null;
}
