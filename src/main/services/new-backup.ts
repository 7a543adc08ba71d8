import type { Repository } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { deleteWholeBackup } from './backup-identity.ts';
import { existingRepoConfig } from './open-backup.ts';

/**
 * The first backup of a backup this very run created: when it fails or is
 * cancelled, the backup it made is deleted again, with this machine's record
 * of it, so no empty backup with stored bytes stays behind and the next
 * backup of the same name starts afresh instead of being refused as vanished.
 */
export async function firstBackupOrUndo<T>(
  store: StorageBackend,
  repo: Repository,
  created: boolean,
  run: () => Promise<T>,
  options: { warn: (text: string) => void; onDiscarded?: () => Promise<unknown> },
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (created) {
      try {
        if (await discardEmptyBackup(store, repo)) await options.onDiscarded?.();
      } catch (cleanup) {
        options.warn(`the new backup '${repo.name}' has no version but could not be removed: ${(cleanup as Error).message}`);
      }
    }
    throw err;
  }
}

/** Deletes the backup only while it is still the one created (same id) and has no version. */
export async function discardEmptyBackup(store: StorageBackend, repo: Repository): Promise<boolean> {
  const config = await existingRepoConfig(store, repo.name);
  if (config && config.id !== repo.config.id) return false;
  if (config && (await repo.versions()).length) return false;
  await deleteWholeBackup(store, repo.name);
  return true;
}
