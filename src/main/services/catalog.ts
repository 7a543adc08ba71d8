import type Docker from 'dockerode';
import type { VolumeDto } from '../../shared/api/dto.ts';
import { listVolumes } from '../docker/volumes.ts';
import { lastBackupOfVolumes, versionsOf } from '../engine/ops/catalog.ts';
import { Layout } from '../engine/repo/layout.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { readVerifications } from '../engine/repo/verification.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';

/** What `dvom volumes`/`dvom versions` and the app's lists show; none of it needs a password. */

/** Docker volumes with their size, the containers using them and the newest version that holds each. */
export async function volumesWithLastBackup(docker: Docker, store: StorageBackend): Promise<VolumeDto[]> {
  const [volumes, last] = await Promise.all([listVolumes(docker), lastBackupOfVolumes(store)]);
  return volumes.map((v) => ({
    name: v.name,
    driver: v.driver,
    size: v.size ?? null,
    usedBy: v.usedBy.map((u) => ({ name: u.name, running: u.running })),
    lastBackup: last.get(v.name) ?? null,
  }));
}

/** When each version was last verified (by a test restore or a verify that read all data), by version id. */
export async function verifiedAt(store: StorageBackend, backup: string): Promise<Map<string, string>> {
  const records = await readVerifications(store, new Layout(backup));
  return new Map([...records].map(([id, record]) => [id, record.verifiedAt]));
}

/** A backup's versions, oldest first, each with when it was last verified (null: never). */
export async function versionsWithVerification(store: StorageBackend, backup: string): Promise<(VersionSummary & { verifiedAt: string | null })[]> {
  const [versions, verified] = await Promise.all([versionsOf(store, backup), verifiedAt(store, backup)]);
  return versions.map((v) => ({ ...v, verifiedAt: verified.get(v.id) ?? null }));
}
