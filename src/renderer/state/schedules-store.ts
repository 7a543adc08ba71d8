import { create } from 'zustand';
import type { Schedule, ScheduleStatus } from '../../shared/schedule.ts';
import { api } from '../api/api.ts';
import { errorText } from '../api/error-text.ts';

/** What is on its way for one schedule (its buttons are disabled meanwhile). */
export type ScheduleAction = 'enable' | 'disable' | 'run' | 'remove';

export interface SchedulesState {
  /** Sorted by name; null until the first list arrives. */
  schedules: ScheduleStatus[] | null;
  /** Every schedule is held ("Pause all schedules"); null until known. */
  paused: boolean | null;
  loading: boolean;
  /** Why the list could not be loaded, for people; or null. */
  error: string | null;
  /** By schedule name. */
  busy: Record<string, ScheduleAction>;
  /** Why the last action on a schedule failed, by name, for people. */
  actionErrors: Record<string, string>;
  /** The requested paused state while pauseAll is on its way. */
  pausing: boolean | null;
  pauseError: string | null;
  load(): Promise<void>;
  /** Reloads when the engine says schedules changed (saved anywhere, a run started or was recorded); returns the unsubscribe. */
  watch(): () => void;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  pauseAll(paused: boolean): Promise<void>;
  /** Starts a run now; resolves with the job id, or null when it failed (the reason is in actionErrors). */
  runNow(name: string): Promise<string | null>;
  /**
   * Adds or replaces a schedule (`password`: of the new encrypted backup its
   * first run creates; kept in the keychain); rejects with the API error (for
   * placing it by field).
   */
  save(schedule: Schedule, replaces?: string, password?: string): Promise<ScheduleStatus>;
  /** Rejects with an Error whose message is for people. */
  remove(name: string): Promise<void>;
  /** Forgets a shown action error. */
  dismissError(name: string): void;
}

const byName = (a: ScheduleStatus, b: ScheduleStatus) => a.name.localeCompare(b.name);

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

let latestLoad = 0;

/**
 * The scheduled backups and where each stands (next run, last result): the
 * list once, then again whenever the engine says schedules changed (a run
 * started or was recorded, another window or the CLI saved one).
 */
export const useSchedulesStore = create<SchedulesState>()((set, get) => {
  /** Puts one schedule's fresh status into the list (or adds it). */
  const upsert = (status: ScheduleStatus, replaces?: string) =>
    set((s) => {
      if (!s.schedules) return {};
      const rest = s.schedules.filter((x) => x.name !== status.name && x.name !== replaces);
      return { schedules: [...rest, status].sort(byName) };
    });

  return {
    schedules: null,
    paused: null,
    loading: false,
    error: null,
    busy: {},
    actionErrors: {},
    pausing: null,
    pauseError: null,

    async load() {
      const request = ++latestLoad;
      set({ loading: true });
      try {
        const { paused, schedules } = await api().call('schedules.list', {});
        if (request !== latestLoad) return;
        set({ schedules: schedules.toSorted(byName), paused, loading: false, error: null });
      } catch (err) {
        if (request !== latestLoad) return;
        set({ loading: false, error: errorText(err) });
      }
    },

    watch() {
      return api().on('schedules.changed', () => void get().load());
    },

    async setEnabled(name, enabled) {
      if (get().busy[name]) return;
      set((s) => ({ busy: { ...s.busy, [name]: enabled ? 'enable' : 'disable' }, actionErrors: without(s.actionErrors, name) }));
      try {
        const status = await api().call('schedules.setEnabled', { name, enabled });
        upsert(status);
        set((s) => ({ busy: without(s.busy, name) }));
      } catch (err) {
        const what = enabled ? 'turn it on' : 'turn it off';
        set((s) => ({ busy: without(s.busy, name), actionErrors: { ...s.actionErrors, [name]: `Could not ${what}: ${errorText(err)}` } }));
      }
    },

    async pauseAll(paused) {
      if (get().pausing !== null) return;
      set({ pausing: paused, pauseError: null });
      try {
        const result = await api().call('schedules.pauseAll', { paused });
        set({ paused: result.paused, pausing: null });
        void get().load(); // next runs change with it
      } catch (err) {
        set({ pausing: null, pauseError: `Could not ${paused ? 'pause' : 'resume'} the schedules: ${errorText(err)}` });
      }
    },

    async runNow(name) {
      if (get().busy[name]) return null;
      set((s) => ({ busy: { ...s.busy, [name]: 'run' }, actionErrors: without(s.actionErrors, name) }));
      try {
        const { jobId } = await api().call('schedules.runNow', { name });
        set((s) => ({ busy: without(s.busy, name) }));
        return jobId;
      } catch (err) {
        set((s) => ({ busy: without(s.busy, name), actionErrors: { ...s.actionErrors, [name]: `Could not start it: ${errorText(err)}` } }));
        return null;
      }
    },

    async save(schedule, replaces, password) {
      const status = await api().call('schedules.save', { schedule, ...(replaces ? { replaces } : {}), ...(password ? { password } : {}) });
      upsert(status, replaces);
      set((s) => ({ actionErrors: without(without(s.actionErrors, status.name), replaces ?? '') }));
      return status;
    },

    async remove(name) {
      set((s) => ({ busy: { ...s.busy, [name]: 'remove' } }));
      try {
        await api().call('schedules.remove', { name });
      } catch (err) {
        set((s) => ({ busy: without(s.busy, name) }));
        throw new Error(errorText(err), { cause: err });
      }
      set((s) => ({
        busy: without(s.busy, name),
        actionErrors: without(s.actionErrors, name),
        schedules: s.schedules?.filter((x) => x.name !== name) ?? null,
      }));
    },

    dismissError(name) {
      set((s) => ({ actionErrors: without(s.actionErrors, name) }));
    },
  };
});
