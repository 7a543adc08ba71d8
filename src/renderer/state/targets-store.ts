import { create } from 'zustand';
import type { TargetDto } from '../../shared/api/dto.ts';
import { api } from '../api/api.ts';
import { errorText } from '../api/error-text.ts';

/** A store to pick: a named target, or '' for the default store (no `target` in calls). */
export type TargetKey = string;

export interface StoreChoice {
  value: TargetKey;
  /** Its name: the target's, or "Default store". */
  name: string;
  /** Its folder or s3://bucket/prefix, when known. */
  location: string | null;
  isDefault: boolean;
}

/** The `target` param of a call for a store key: none for the default store. */
export function targetParam(key: TargetKey): { target?: string } {
  return key ? { target: key } : {};
}

/**
 * The stores to choose from, the default first: the named targets, and the
 * default store itself when no named target is the default.
 */
export function storeChoices(targets: readonly TargetDto[], defaultLocation: string | null): StoreChoice[] {
  const choices: StoreChoice[] = targets
    .toSorted((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name))
    .map((t) => ({ value: t.name, name: t.name, location: t.location, isDefault: t.isDefault }));
  if (!targets.some((t) => t.isDefault)) choices.unshift({ value: '', name: 'Default store', location: defaultLocation, isDefault: true });
  return choices;
}

/** The label of a choice in a select: "nightly (default) — s3://…". */
export function choiceLabel(c: StoreChoice): string {
  const name = c.value && c.isDefault ? `${c.name} (default)` : c.name;
  return c.location ? `${name} — ${c.location}` : name;
}

/** Which choice a key stands for: '' is the default, whichever store that is; an unknown key (a removed target) falls back to it. */
export function choiceOf(choices: readonly StoreChoice[], key: TargetKey): StoreChoice | undefined {
  return choices.find((c) => c.value === key) ?? choices.find((c) => c.isDefault) ?? choices[0];
}

/** How text names a store: "storage target nas", or "the default store" (when it is no named target). */
export function storePhrase(choices: readonly StoreChoice[] | null, key: TargetKey): string {
  const c = choices ? choiceOf(choices, key) : undefined;
  const name = c ? c.value : key;
  return name ? `storage target ${name}` : 'the default store';
}

export interface TargetsState {
  /** null until the first list arrives (or when it failed: then the default store alone is offered). */
  choices: StoreChoice[] | null;
  error: string | null;
  load(): Promise<void>;
  /** Reloads when targets change (saving one in Settings announces backups.changed); returns the unsubscribe. */
  watch(): () => void;
}

let latest = 0;

/** The storage targets the pages that read backups offer, asked of the engine once per page shown. */
export const useTargetsStore = create<TargetsState>()((set, get) => ({
  choices: null,
  error: null,

  async load() {
    const request = ++latest;
    const [targets, info] = await Promise.allSettled([api().call('targets.list', {}), api().call('app.info', {})]);
    if (request !== latest) return;
    const location = info.status === 'fulfilled' ? info.value.storeLocation : null;
    if (targets.status === 'fulfilled') set({ choices: storeChoices(targets.value, location), error: null });
    else set({ error: errorText(targets.reason), choices: get().choices });
  },

  watch() {
    return api().on('backups.changed', () => void get().load());
  },
}));
