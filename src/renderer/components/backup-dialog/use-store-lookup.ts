import { useCallback, useEffect, useRef, useState } from 'react';
import type { BackupDto, TargetDto } from '../../../shared/api/dto.ts';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; error: string };

const LOADING = { state: 'loading' } as const;

/** '' stands for the default store (no `target` in the call). */
export type TargetKey = string;

export interface StorageTargets {
  targets: Loadable<TargetDto[]>;
  /** Where the default store is (from app.info), when known. */
  defaultLocation: string | null;
}

export interface StoreLookup {
  /** The backups in the chosen store. */
  backups: Loadable<BackupDto[]>;
  /** Whether the keychain remembers the password of the existing encrypted backup `name`. */
  remembered: Loadable<boolean> | null;
  /** Forget what is known about this store (e.g. after the engine said something else). */
  invalidate(): void;
}

const targetParam = (key: TargetKey) => (key ? { target: key } : {});

/** The storage targets and where the default store is; asked once per dialog. */
export function useStorageTargets(): StorageTargets {
  const [targets, setTargets] = useState<Loadable<TargetDto[]>>(LOADING);
  const [defaultLocation, setDefaultLocation] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api()
      .call('targets.list', {})
      .then(
        (list) => live && setTargets({ state: 'ready', value: list }),
        (err: unknown) => live && setTargets({ state: 'error', error: errorText(err) }),
      );
    api()
      .call('app.info', {})
      .then(
        (info) => live && setDefaultLocation(info.storeLocation),
        () => undefined, // Only a label: the store's own error shows where it matters.
      );
    return () => {
      live = false;
    };
  }, []);

  return { targets, defaultLocation };
}

/**
 * What the backup dialog needs to know about the store it writes to: the
 * backups already there, and whether an existing encrypted backup's password
 * is remembered. Each is asked once per dialog (`target` null: not known yet).
 */
export function useStoreLookup(target: TargetKey | null, name: string): StoreLookup {
  const [backupsByTarget, setBackupsByTarget] = useState<Record<TargetKey, Loadable<BackupDto[]>>>({});
  const [rememberedByKey, setRememberedByKey] = useState<Record<string, Loadable<boolean>>>({});
  const [generation, setGeneration] = useState(0);
  /** What was asked already ("b:" + target, "r:" + target + NUL + backup). */
  const requested = useRef(new Set<string>());

  const backups: Loadable<BackupDto[]> = target === null ? LOADING : (backupsByTarget[target] ?? LOADING);

  useEffect(() => {
    if (target === null) return;
    let live = true;
    let done = false;
    const settle = (value: Loadable<BackupDto[]>) => {
      done = true;
      if (live) setBackupsByTarget((all) => ({ ...all, [target]: value }));
    };
    if (requested.current.has(`b:${target}`)) return;
    requested.current.add(`b:${target}`);
    api()
      .call('backups.list', targetParam(target))
      .then(
        (list) => settle({ state: 'ready', value: list }),
        (err: unknown) => settle({ state: 'error', error: errorText(err) }),
      );
    return () => {
      live = false;
      // Unfinished (StrictMode runs effects twice in development): ask again next time.
      if (!done) requested.current.delete(`b:${target}`);
    };
  }, [target, generation]);

  const existing = backups.state === 'ready' ? backups.value.find((b) => b.name === name) : undefined;
  const rememberKey = existing?.encrypted && target !== null ? `${target}\u0000${existing.name}` : null;
  const fallbackRemembered = existing?.passwordRemembered ?? false;

  useEffect(() => {
    if (rememberKey === null || target === null) return;
    if (requested.current.has(`r:${rememberKey}`)) return;
    requested.current.add(`r:${rememberKey}`);
    const backup = rememberKey.slice(target.length + 1);
    let live = true;
    let done = false;
    const settle = (value: boolean) => {
      done = true;
      if (live) setRememberedByKey((all) => ({ ...all, [rememberKey]: { state: 'ready', value } }));
    };
    api()
      .call('secrets.hasPassword', { backup, ...targetParam(target) })
      .then(
        (r) => settle(r.remembered),
        // The keychain did not answer: go by what the backups list said.
        () => settle(fallbackRemembered),
      );
    return () => {
      live = false;
      if (!done) requested.current.delete(`r:${rememberKey}`);
    };
  }, [rememberKey, target, fallbackRemembered, generation]);

  const invalidate = useCallback(() => {
    if (target === null) return;
    setBackupsByTarget((all) => {
      const copy = { ...all };
      delete copy[target];
      return copy;
    });
    setRememberedByKey((all) => Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith(`${target}\u0000`))));
    for (const key of [...requested.current]) {
      if (key === `b:${target}` || key.startsWith(`r:${target}\u0000`)) requested.current.delete(key);
    }
    setGeneration((g) => g + 1);
  }, [target]);

  return {
    backups,
    remembered: rememberKey === null ? null : (rememberedByKey[rememberKey] ?? LOADING),
    invalidate,
  };
}
