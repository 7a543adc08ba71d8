import { forgetKnownBackup, knownBackupFile, readKnownBackup, writeKnownBackup, type KnownBackup } from '../config/known-backups.ts';
import { integrityError } from '../engine/errors.ts';
import { deleteBackup } from '../engine/ops/catalog.ts';
import type { RepoConfig } from '../engine/repo/repo-config.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';

/**
 * A backup known to be encrypted stays encrypted: what a store says about a
 * backup (its id, whether it is encrypted) is checked against what this
 * machine remembers of it (config/known-backups.ts) before anything is
 * written. Someone who can write to the store can rewrite its config; they
 * cannot rewrite this machine's memory of it.
 */

const AFRESH = (store: StorageBackend, backup: string) =>
  `if it was deleted and created again on purpose, remove ${knownBackupFile(store.location, backup)} and run again`;

/** Refuses a backup whose id or encryption differs from what this machine remembers. */
export function checkKnownBackup(store: StorageBackend, backup: string, config: RepoConfig, known: KnownBackup | undefined): void {
  if (!known) return;
  const where = `backup '${backup}' in ${store.location}`;
  if (known.repoId !== config.id) {
    throw integrityError(
      `${where} is not the backup this machine knew: its repository id changed (was ${known.repoId}, now ${config.id}); ` +
        `refusing to use it, someone may have replaced it (${AFRESH(store, backup)})`,
    );
  }
  if (known.encrypted && !config.encrypted) {
    throw integrityError(
      `${where} was encrypted when this machine last used it, but its config now says it is not: refusing to use it ` +
        '(the store was changed to make the next backup write plaintext); nothing was written',
    );
  }
  if (!known.encrypted && config.encrypted) {
    throw integrityError(`${where} was not encrypted when this machine last used it, but its config now says it is: refusing to use it (${AFRESH(store, backup)})`);
  }
}

/** Refuses to create a backup where one this machine used has vanished: it would start afresh, perhaps in plaintext. */
export function checkNotVanished(store: StorageBackend, backup: string, known: KnownBackup | undefined): void {
  if (!known) return;
  throw integrityError(
    `backup '${backup}' in ${store.location} existed when this machine last used it (${known.encrypted ? 'encrypted' : 'not encrypted'}), ` +
      `but its config is gone: refusing to create a new one in its place (${AFRESH(store, backup)})`,
  );
}

/** Remembers an opened or created backup (again only when its key list moved on). */
export async function rememberBackup(store: StorageBackend, repo: Repository, known: KnownBackup | undefined): Promise<void> {
  const keyringGeneration = Math.max(repo.keyringGeneration, known?.keyringGeneration ?? 0);
  if (known && known.keyringGeneration === keyringGeneration) return;
  await writeKnownBackup({ format: 1, store: store.location, backup: repo.name, repoId: repo.config.id, encrypted: repo.config.encrypted, keyringGeneration });
}

/** After this process changed the key list (passwd, key add/remove): from now on this machine refuses the list before. */
export async function rememberKeyListChange(store: StorageBackend, repo: Repository): Promise<void> {
  await rememberBackup(store, repo, await readKnownBackup(store.location, repo.name));
}

/** Deletes a whole backup and this machine's memory of it, so that a new one may take its name. */
export async function deleteWholeBackup(store: StorageBackend, backup: string): Promise<number> {
  const removed = await deleteBackup(store, backup);
  await forgetKnownBackup(store.location, backup);
  return removed;
}
