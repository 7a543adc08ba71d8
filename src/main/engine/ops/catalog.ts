import { DvomError, isDvomError, notFound } from '../errors.ts';
import { BACKUPS_PREFIX, Layout } from '../repo/layout.ts';
import { withLock } from '../repo/lock.ts';
import { readRepoConfig, readVersionSummaries } from '../repo/repository.ts';
import type { VersionSummary } from '../repo/version-file.ts';
import type { StorageBackend, StoredObject } from '../storage/backend.ts';

/** What `list` and `info` show: plaintext metadata only, no password needed. */
export interface BackupOverview {
  name: string;
  createdAt: string;
  encrypted: boolean;
  kdf?: string;
  versions: number;
  latest?: VersionSummary;
  /** Volumes across all versions, in order of first appearance. */
  volumes: string[];
  sourceKind?: VersionSummary['sourceKind'];
  /** Bytes the backup occupies in the store. */
  storedBytes: number;
  /** Sum over versions of their content size (what a non-deduplicating tool would store). */
  totalVersionBytes: number;
}

/** Names of the backups in a store (folders that have a config). */
export async function listBackupNames(backend: StorageBackend): Promise<string[]> {
  const names = new Set<string>();
  for await (const obj of backend.list(`${BACKUPS_PREFIX}/`)) {
    const m = /^backups\/([^/]+)\/config\.json$/.exec(obj.key);
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

export async function overview(backend: StorageBackend, name: string): Promise<BackupOverview> {
  const config = await readRepoConfig(backend, name);
  const layout = new Layout(name);
  const versions = await readVersionSummaries(backend, layout);
  let storedBytes = 0;
  for await (const obj of backend.list(`${layout.root}/`)) {
    if (!obj.key.startsWith(layout.locksPrefix)) storedBytes += obj.size;
  }
  let kdf: string | undefined;
  if (config.encrypted) {
    for await (const obj of backend.list(layout.keysPrefix)) {
      const file = JSON.parse((await backend.get(obj.key)).toString('utf8')) as {
        kdf?: { type?: string; N?: number; r?: number; p?: number; memoryKiB?: number; passes?: number; parallelism?: number };
      };
      if (file.kdf?.type === 'scrypt') kdf = `scrypt N=${file.kdf.N} r=${file.kdf.r} p=${file.kdf.p}`;
      if (file.kdf?.type === 'argon2id') kdf = `Argon2id m=${file.kdf.memoryKiB} KiB t=${file.kdf.passes} p=${file.kdf.parallelism}`;
      break;
    }
  }
  const volumes = [...new Set(versions.flatMap((v) => v.volumes))];
  const latest = versions[versions.length - 1];
  return {
    name,
    createdAt: config.createdAt,
    encrypted: config.encrypted,
    ...(kdf ? { kdf } : {}),
    versions: versions.length,
    ...(latest ? { latest, sourceKind: latest.sourceKind } : {}),
    volumes,
    storedBytes,
    totalVersionBytes: versions.reduce((s, v) => s + v.stats.bytes, 0),
  };
}

/** A backup whose plaintext metadata cannot be read: listed with the reason, so the others still show. */
export interface DamagedBackup {
  name: string;
  error: string;
}

export async function listBackups(backend: StorageBackend): Promise<(BackupOverview | DamagedBackup)[]> {
  const out: (BackupOverview | DamagedBackup)[] = [];
  for (const name of await listBackupNames(backend)) {
    try {
      out.push(await overview(backend, name));
    } catch (err) {
      if (isDvomError(err, 'INTEGRITY')) out.push({ name, error: err.message });
      else throw err;
    }
  }
  return out;
}

export function isDamaged(entry: BackupOverview | DamagedBackup): entry is DamagedBackup {
  return 'error' in entry;
}

/**
 * Append-only mode: a backup any of whose objects the store still holds is
 * not deleted at all (deleting the rest would leave it unopenable while its
 * held data stay). Newest objects first: they are held longest.
 */
async function refuseIfHeld(backend: StorageBackend, layout: Layout): Promise<void> {
  const store = backend.retention;
  if (!store) return;
  const objects: StoredObject[] = [];
  for await (const obj of backend.list(`${layout.root}/`)) {
    if (!obj.key.startsWith(layout.locksPrefix) && !obj.key.startsWith(layout.verifiedPrefix)) objects.push(obj);
  }
  objects.sort((a, b) => b.modified.getTime() - a.modified.getTime());
  for (const obj of objects) {
    const until = await store.heldUntil(obj.key);
    if (!until) continue;
    throw new DvomError(
      'RETAINED',
      `backup '${layout.name}' is held by S3 Object Lock (append-only mode): ${obj.key} until ${until.toISOString()}, ` +
        'objects written later even longer; nothing was deleted (forget and prune remove what is no longer held)',
    );
  }
}

/** Deletes a whole backup. The config goes first, so a half-deleted backup is never listed. */
export async function deleteBackup(backend: StorageBackend, name: string): Promise<number> {
  const layout = new Layout(name);
  const exists = await backend.stat(layout.config);
  let any = !!exists;
  if (!any) for await (const _ of backend.list(`${layout.root}/`)) { any = true; break; }
  if (!any) throw notFound(`backup '${name}' not found in ${backend.location}`);
  return withLock(backend, layout, 'delete', true, async () => {
    await refuseIfHeld(backend, layout);
    let removed = 0;
    await backend.delete(layout.config);
    for await (const obj of backend.list(`${layout.root}/`)) {
      if (obj.key.startsWith(layout.locksPrefix)) continue;
      await backend.delete(obj.key);
      removed++;
    }
    return removed;
  }).then(async (removed) => {
    for await (const obj of backend.list(layout.locksPrefix)) await backend.delete(obj.key);
    const local = backend as StorageBackend & { removeEmptyDirs?: (p: string) => Promise<void> };
    await local.removeEmptyDirs?.(layout.root);
    return removed;
  });
}

/** A backup's versions, oldest first, without unlocking it. */
export async function versionsOf(backend: StorageBackend, name: string): Promise<VersionSummary[]> {
  await readRepoConfig(backend, name);
  return readVersionSummaries(backend, new Layout(name));
}
