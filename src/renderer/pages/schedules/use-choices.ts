import { useCallback, useEffect, useState } from 'react';
import type { BackupDto, TargetDto } from '../../../shared/api/dto.ts';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; error: string };

const LOADING = { state: 'loading' } as const;

export interface Choices {
  targets: Loadable<TargetDto[]>;
  /** Where the default store is (app.info), when known. */
  defaultLocation: string | null;
  /** The backups in the chosen store. */
  backups: Loadable<BackupDto[]>;
  retryBackups(): void;
}

/**
 * What the schedule editor offers besides volumes: the storage targets, and
 * the backups already in the chosen store ('' is the default store), each
 * store asked once while the editor is open.
 */
export function useChoices(target: string): Choices {
  const [targets, setTargets] = useState<Loadable<TargetDto[]>>(LOADING);
  const [defaultLocation, setDefaultLocation] = useState<string | null>(null);
  const [backupsByTarget, setBackupsByTarget] = useState<Record<string, Loadable<BackupDto[]>>>({});
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    api()
      .call('targets.list', {})
      .then(
        (list) => live && setTargets({ state: 'ready', value: list.toSorted((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name)) }),
        (err: unknown) => live && setTargets({ state: 'error', error: errorText(err) }),
      );
    api()
      .call('app.info', {})
      .then(
        (info) => live && setDefaultLocation(info.storeLocation),
        () => undefined, // only a label
      );
    return () => {
      live = false;
    };
  }, []);

  const known = backupsByTarget[target];
  useEffect(() => {
    if (known && known.state !== 'loading') return;
    let live = true;
    api()
      .call('backups.list', target ? { target } : {})
      .then(
        (list) => live && setBackupsByTarget((all) => ({ ...all, [target]: { state: 'ready', value: list } })),
        (err: unknown) => live && setBackupsByTarget((all) => ({ ...all, [target]: { state: 'error', error: errorText(err) } })),
      );
    return () => {
      live = false;
    };
    // `known` only matters as "asked already"; a new generation asks again.
  }, [target, generation]);

  const retryBackups = useCallback(() => {
    setBackupsByTarget((all) => {
      const copy = { ...all };
      delete copy[target];
      return copy;
    });
    setGeneration((g) => g + 1);
  }, [target]);

  return { targets, defaultLocation, backups: known ?? LOADING, retryBackups };
}
