import { useEffect, useMemo, useState } from 'react';
import type { BackupDto, TargetDto } from '../../../shared/api/dto.ts';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';
import { useStorageTargets, type Loadable } from '../../components/backup-dialog/use-store-lookup.ts';

const LOADING = { state: 'loading' } as const;

export interface Choices {
  /** Default first, then by name. */
  targets: Loadable<TargetDto[]>;
  /** Where the default store is (app.info), when known. */
  defaultLocation: string | null;
  /** The backups in the chosen store. */
  backups: Loadable<BackupDto[]>;
}

/**
 * What the schedule editor offers besides volumes: the storage targets, and
 * the backups already in the chosen store ('' is the default store), each
 * store asked once while the editor is open.
 */
export function useChoices(target: string): Choices {
  const storage = useStorageTargets();
  const targets = useMemo<Loadable<TargetDto[]>>(
    () =>
      storage.targets.state === 'ready'
        ? { state: 'ready', value: storage.targets.value.toSorted((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name)) }
        : storage.targets,
    [storage.targets],
  );
  const [backupsByTarget, setBackupsByTarget] = useState<Record<string, Loadable<BackupDto[]>>>({});

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
    // `known` only matters as "asked already".
  }, [target]);

  return { targets, defaultLocation: storage.defaultLocation, backups: known ?? LOADING };
}
