import { readRepoConfig } from '../engine/repo/repository.ts';
import { Layout } from '../engine/repo/layout.ts';
import { readLocks, removeLock, type LockInfo } from '../engine/repo/lock.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';

export type { LockInfo };

export interface UnlockResult {
  /** Locks removed: stale ones, and with `force` live ones too. */
  removed: LockInfo[];
  /** Live locks left in place (none with `force`). */
  live: LockInfo[];
}

/**
 * `dvom unlock` and the app's Unlock action: removes a backup's stale locks
 * (crashed or vanished holders); live ones only with `force`, because removing
 * the lock of a process that is still writing lets prune delete its data.
 * Locks are plaintext: no password is needed.
 */
export async function unlockBackup(store: StorageBackend, backup: string, options: { force?: boolean } = {}): Promise<UnlockResult> {
  await readRepoConfig(store, backup); // NOT_FOUND for a backup that does not exist
  const layout = new Layout(backup);
  const result: UnlockResult = { removed: [], live: [] };
  for (const lock of await readLocks(store, layout)) {
    if (!lock.stale && !options.force) {
      result.live.push(lock);
      continue;
    }
    await removeLock(store, layout, lock.id);
    result.removed.push(lock);
  }
  return result;
}

/** One line about a lock, for the CLI and the app's log. */
export function describeLock(lock: LockInfo): string {
  return `'${lock.operation}' on ${lock.host} (pid ${lock.pid}, ${lock.exclusive ? 'exclusive' : 'shared'}) since ${lock.createdAt}`;
}
