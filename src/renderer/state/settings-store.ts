import { create } from 'zustand';
import type { ParamsOf } from '../../shared/api/contract.ts';
import type { AppInfo, TargetDto } from '../../shared/api/dto.ts';
import { api } from '../api/api.ts';
import { errorText } from '../api/error-text.ts';

export type TargetInput = ParamsOf<'targets.save'>['target'];

/** The outcome of "Test connection" for one target, this session. */
export type TargetTest =
  | { state: 'testing' }
  | { state: 'ok'; location: string }
  | { state: 'failed'; message: string };

export interface SettingsState {
  /** null until app.info first answers. */
  info: AppInfo | null;
  infoError: string | null;
  /** null until the first list arrives; sorted by name. */
  targets: TargetDto[] | null;
  targetsError: string | null;
  loading: boolean;
  /** By target name; cleared when the target is saved or removed. */
  tests: Record<string, TargetTest>;
  load(): Promise<void>;
  /** Adds or replaces a target; rejects with a message for people. `tested`: how its settings' connection test went, shown on its card. */
  save(name: string, target: TargetInput, makeDefault: boolean, tested?: TargetTest): Promise<TargetDto>;
  /** Tests settings before they are saved; resolves to where they store, rejects with a message for people. */
  testSettings(name: string, target: TargetInput): Promise<string>;
  /** Rejects with a message for people. */
  remove(name: string): Promise<void>;
  /** Never rejects: the outcome goes to tests[name]. */
  test(name: string): Promise<void>;
  /** Reloads when the engine says targets or backups changed; returns the unsubscribe. */
  watch(): () => void;
}

let latestLoad = 0;
const latestTest = new Map<string, number>();
let testCounter = 0;

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

/** Wraps a failure in an Error whose message is written for people. */
function humanError(err: unknown): Error {
  return new Error(errorText(err));
}

export const useSettingsStore = create<SettingsState>()((set, get) => ({
  info: null,
  infoError: null,
  targets: null,
  targetsError: null,
  loading: false,
  tests: {},

  async load() {
    const request = ++latestLoad;
    set({ loading: true });
    const [info, targets] = await Promise.allSettled([api().call('app.info', {}), api().call('targets.list', {})]);
    if (request !== latestLoad) return;
    set({
      loading: false,
      ...(info.status === 'fulfilled' ? { info: info.value, infoError: null } : { infoError: errorText(info.reason) }),
      ...(targets.status === 'fulfilled'
        ? { targets: [...targets.value].sort((a, b) => a.name.localeCompare(b.name)), targetsError: null }
        : { targetsError: errorText(targets.reason) }),
    });
  },

  async save(name, target, makeDefault, tested) {
    let saved: TargetDto;
    try {
      saved = await api().call('targets.save', { name, target, makeDefault });
    } catch (err) {
      throw humanError(err);
    }
    latestTest.delete(name);
    set((s) => ({ tests: tested ? { ...s.tests, [name]: tested } : without(s.tests, name) }));
    await get().load();
    return saved;
  },

  async testSettings(name, target) {
    try {
      return (await api().call('targets.test', { name, target })).location;
    } catch (err) {
      throw humanError(err);
    }
  },

  async remove(name) {
    try {
      await api().call('targets.remove', { name });
    } catch (err) {
      throw humanError(err);
    }
    latestTest.delete(name);
    set((s) => ({ tests: without(s.tests, name) }));
    await get().load();
  },

  async test(name) {
    const request = ++testCounter;
    latestTest.set(name, request);
    set((s) => ({ tests: { ...s.tests, [name]: { state: 'testing' } } }));
    let outcome: TargetTest;
    try {
      const { location } = await api().call('targets.test', { name });
      outcome = { state: 'ok', location };
    } catch (err) {
      outcome = { state: 'failed', message: errorText(err) };
    }
    if (latestTest.get(name) !== request) return;
    set((s) => ({ tests: { ...s.tests, [name]: outcome } }));
  },

  watch() {
    // Saving or removing a target (here, in another window or by the CLI through the app) emits backups.changed.
    return api().on('backups.changed', () => void get().load());
  },
}));
