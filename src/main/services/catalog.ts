import type Docker from 'dockerode';
import type { VolumeDto } from '../../shared/api/dto.ts';
import { isVolumeEmpty } from '../docker/volume-archive.ts';
import { listVolumes } from '../docker/volumes.ts';
import { isDvomError, type DvomError } from '../engine/errors.ts';
import { listBackupNames, versionsOf } from '../engine/ops/catalog.ts';
import { Layout } from '../engine/repo/layout.ts';
import { Repository, readRepoConfig } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { readVerifications } from '../engine/repo/verification.ts';
import type { ReadOrigin, VersionSummary } from '../engine/repo/version-file.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { readKnownBackup } from '../config/known-backups.ts';
import { checkKnownBackup } from './backup-identity.ts';
import { describeError } from './errors.ts';
import { openBackup, passwordFinder, type CredentialFinder } from './open-backup.ts';
import { rememberedPassword } from './passwords.ts';

/**
 * What `dvom volumes`/`dvom versions` and the app's lists show. None of it
 * needs a password; but an encrypted backup's version and verification
 * records carry seals only its key can check. With a credential at hand
 * (given, in the environment, remembered; never asked for) they are checked,
 * and a record whose seal fails is not shown as verified. Without one, what
 * is listed is the store's word: marked `checked: false`.
 */

/** How a listing gets a backup's keys: undefined when it stays locked (plain, or no credential at hand). */
export type ListingUnlock = (backup: string) => Promise<Repository | undefined>;

/**
 * Unlocks encrypted backups with the credential each finder has at hand. A
 * wrong one (a stale remembered password) leaves the backup locked; a store
 * that fails the checks of opening (open-backup.ts) fails the listing.
 */
export function listingUnlocker(store: StorageBackend, finderFor: (backup: string) => CredentialFinder): ListingUnlock {
  return async (backup) => {
    const config = await readRepoConfig(store, backup);
    if (!config.encrypted) {
      // A plain config is listed unchecked only if this machine does not know the backup as encrypted (H1).
      checkKnownBackup(store, backup, config, await readKnownBackup(store.location, backup));
      return undefined;
    }
    const found = await finderFor(backup).atHand();
    if (!found) return undefined;
    const only: CredentialFinder = {
      atHand: async () => found,
      find: async () => found,
      afterStaleKeychain: (err) => Promise.reject(err),
    };
    try {
      return (await openBackup(store, backup, only, { remember: false })).repo;
    } catch (err) {
      if (isDvomError(err, 'WRONG_PASSWORD')) return undefined;
      throw err;
    }
  };
}

/** The app's listings: the passwords remembered in the keychain. */
export function keychainUnlock(store: StorageBackend, secrets: SecretStore): ListingUnlock {
  return listingUnlocker(store, (backup) => passwordFinder(backup, undefined, () => rememberedPassword(secrets, store, backup)));
}

export type ListedVersion = VersionSummary & {
  /** What made it; unknown for an encrypted backup listed without its key (the origin is stored encrypted). */
  origin: ReadOrigin;
  /** When it was last verified (a test restore, or a verify that read all data); null: never. */
  verifiedAt: string | null;
  /** Its seals (and its verification's) were checked with the backup's key, or the backup is plain (checksums, checked). */
  checked: boolean;
};

/** A backup's versions, oldest first, each with when it was last verified. */
export async function versionsWithVerification(store: StorageBackend, backup: string, unlock: ListingUnlock): Promise<ListedVersion[]> {
  const repo = await unlock(backup);
  if (repo) {
    const [versions, records] = await Promise.all([
      repo.versions(),
      readVerifications(store, repo.layout, { macKey: repo.keys!.metaMac, repoId: repo.config.id }),
    ]);
    return versions.map((v) => ({ ...v, verifiedAt: records.get(v.id)?.verifiedAt ?? null, checked: true }));
  }
  const checked = !(await readRepoConfig(store, backup)).encrypted;
  // A plain backup's private parts need no key (unlock checked it is known as plain): they give the origins.
  const listed = checked
    ? (await Repository.open(store, backup)).versions()
    : versionsOf(store, backup).then((list) => list.map((v) => ({ ...v, origin: { kind: 'unknown' } as const })));
  const [versions, records] = await Promise.all([listed, readVerifications(store, new Layout(backup))]);
  return versions.map((v) => ({ ...v, verifiedAt: records.get(v.id)?.verifiedAt ?? null, checked }));
}

/** A backup a listing left out: it failed its checks (tampered, rolled back, or this machine's record of it is damaged). */
export type OnLeftOut = (backup: string, err: DvomError) => void;

/**
 * Docker volumes with their size, the containers using them and the newest
 * version that holds each. A backup that fails its checks is left out (and
 * reported to `onLeftOut`), so one bad backup does not hide every volume.
 */
export async function volumesWithLastBackup(docker: Docker, store: StorageBackend, unlock: ListingUnlock, onLeftOut: OnLeftOut = () => {}): Promise<VolumeDto[]> {
  const [volumes, last] = await Promise.all([listVolumes(docker), lastBackupOfVolumes(store, unlock, onLeftOut)]);
  return describeVolumes(docker, volumes, (name) => ({ lastBackup: last.get(name) ?? null }));
}

/** A store the app lists: a named target, or the default store when it is not one (`target` null). */
export interface ListedStore {
  target: string | null;
  open(): Promise<{ store: StorageBackend; unlock: ListingUnlock }>;
}

/**
 * The same, across several stores: each volume's newest version in each store
 * (`lastBackups`), and the newest of all (`lastBackup`). A store that cannot
 * be read (offline, no access) is named in `lastBackupUnknown` and hides
 * nothing of the others; the stores are read at once, so a slow one delays
 * the list only by its own time.
 */
export async function volumesWithLastBackups(
  docker: Docker,
  stores: readonly ListedStore[],
  onLeftOut: (target: string | null, backup: string, err: DvomError) => void = () => {},
): Promise<VolumeDto[]> {
  const perStore = Promise.all(
    stores.map(async (s) => {
      try {
        const { store, unlock } = await s.open();
        return { target: s.target, last: await lastBackupOfVolumes(store, unlock, (backup, err) => onLeftOut(s.target, backup, err)) };
      } catch (err) {
        // The words an API error would carry (services/errors.ts).
        return { target: s.target, error: describeError(err).message };
      }
    }),
  );
  const [volumes, listed] = await Promise.all([listVolumes(docker), perStore]);
  const unknown = listed.flatMap((l) => (l.error === undefined ? [] : [{ target: l.target, error: l.error }]));
  return describeVolumes(docker, volumes, (name) => {
    const lastBackups = listed
      .flatMap((l) => {
        const last = l.last?.get(name);
        return last ? [{ ...last, target: l.target }] : [];
      })
      .sort((a, b) => b.at.localeCompare(a.at));
    return { lastBackup: lastBackups[0] ?? null, lastBackups, lastBackupUnknown: unknown };
  });
}

async function describeVolumes(
  docker: Docker,
  volumes: Awaited<ReturnType<typeof listVolumes>>,
  backups: (volume: string) => Pick<VolumeDto, 'lastBackup' | 'lastBackups' | 'lastBackupUnknown'>,
): Promise<VolumeDto[]> {
  const result: VolumeDto[] = [];
  // One at a time: each look inside a volume is a short-lived helper container.
  for (const v of volumes) {
    result.push({
      name: v.name,
      driver: v.driver,
      size: v.size ?? null,
      empty: await volumeEmptiness(docker, v.name, v.size),
      usedBy: v.usedBy.map((u) => ({ name: u.name, running: u.running, image: u.image })),
      ...(v.stack ? { stack: v.stack } : {}),
      ...backups(v.name),
    });
  }
  return result;
}

/**
 * Whether a volume holds nothing. Bytes in use prove it holds something; at 0
 * bytes (or unknown) only its entries can tell (an empty file weighs
 * nothing), so it is looked into, through the archive API. null when that fails.
 */
async function volumeEmptiness(docker: Docker, volume: string, size: number | undefined): Promise<boolean | null> {
  if (size !== undefined && size > 0) return false;
  try {
    return await isVolumeEmpty(docker, volume);
  } catch {
    return null;
  }
}

type LastBackup = NonNullable<VolumeDto['lastBackup']>;

/** When each volume was last backed up, across all backups in the store. */
async function lastBackupOfVolumes(store: StorageBackend, unlock: ListingUnlock, onLeftOut: OnLeftOut): Promise<Map<string, LastBackup>> {
  const last = new Map<string, LastBackup>();
  for (const name of await listBackupNames(store)) {
    let versions: VersionSummary[];
    let checked: boolean;
    try {
      const repo = await unlock(name);
      versions = repo ? await repo.versions() : await versionsOf(store, name);
      checked = !!repo || !(await readRepoConfig(store, name)).encrypted;
    } catch (err) {
      if (!isDvomError(err, 'INTEGRITY')) throw err;
      onLeftOut(name, err);
      continue;
    }
    for (const v of versions) {
      for (const volume of v.volumes) {
        const seen = last.get(volume);
        if (!seen || seen.at < v.createdAt) last.set(volume, { at: v.createdAt, backup: name, checked });
      }
    }
  }
  return last;
}
