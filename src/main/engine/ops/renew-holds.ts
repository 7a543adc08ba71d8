import { idFromKey } from '../repo/layout.ts';
import type { Repository } from '../repo/repository.ts';

export interface RenewReport {
  /** Objects in use whose hold was extended. */
  renewed: number;
  /** Key files off the key list whose hold had ended, deleted. */
  keyFilesDeleted: number;
}

/**
 * Append-only mode: a new version reuses blobs of packs written long before,
 * so a hold counted from each object's write would end while the data is
 * still needed. Every object the backup still needs (config, key list, key
 * files on it, version files, packs of the new index `keptPacks`) whose hold
 * ends within half the retention period is held again for the full period
 * from now. Index files are never renewed: each prune writes a fresh one, and
 * old ones must be able to expire. Key files removed from the list are
 * deleted once their hold has ended. Call under the exclusive lock.
 */
export async function renewHolds(repo: Repository, keptPacks: Iterable<string>, throwIfLost: () => void): Promise<RenewReport> {
  const store = repo.backend.retention;
  const report: RenewReport = { renewed: 0, keyFilesDeleted: 0 };
  if (!store) return report;
  const now = Date.now();
  const due = now + store.retentionMs / 2;
  const until = new Date(now + store.retentionMs);
  const inUse = new Set(await repo.keyIdsInUse());
  const keys = [repo.layout.config];
  if (await repo.backend.stat(repo.layout.keyring)) keys.push(repo.layout.keyring);
  for await (const obj of repo.backend.list(repo.layout.keysPrefix)) {
    if (inUse.has(idFromKey(obj.key))) keys.push(obj.key);
    else if (!(await store.heldUntil(obj.key))) {
      throwIfLost();
      await repo.backend.delete(obj.key);
      report.keyFilesDeleted++;
    }
  }
  for await (const obj of repo.backend.list(repo.layout.versionsPrefix)) keys.push(obj.key);
  for (const id of keptPacks) keys.push(repo.layout.pack(id));
  for (const key of keys) {
    const hold = await store.currentHold(key);
    if (hold && hold.getTime() >= due) continue;
    throwIfLost();
    await store.extend(key, until);
    report.renewed++;
  }
  return report;
}
