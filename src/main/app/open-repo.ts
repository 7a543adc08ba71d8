import { DvomError, isDvomError } from '../engine/errors.ts';
import { Repository, readRepoConfig } from '../engine/repo/repository.ts';
import type { RepoConfig } from '../engine/repo/repo-config.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { passwordAccount } from '../secrets/accounts.ts';
import type { SecretStore } from '../secrets/secret-store.ts';

/** The backup's config, or undefined when there is no such backup. */
export async function existingRepoConfig(store: StorageBackend, backup: string): Promise<RepoConfig | undefined> {
  return readRepoConfig(store, backup).catch((err: unknown) => {
    if (isDvomError(err, 'NOT_FOUND')) return undefined;
    throw err;
  });
}

/** A remembered password, or undefined when none is remembered or there is no keychain. */
export async function rememberedPassword(secrets: SecretStore, store: StorageBackend, backup: string): Promise<string | undefined> {
  try {
    return await secrets.get('backup-password', passwordAccount(store.location, backup));
  } catch {
    return undefined;
  }
}

/**
 * Opens a backup for the app: with the password the user typed, else the one
 * remembered in the keychain. No password at all is PASSWORD_REQUIRED, so the
 * UI can ask for one.
 */
export async function openRepoForApp(
  store: StorageBackend,
  secrets: SecretStore,
  backup: string,
  password: string | undefined,
): Promise<Repository> {
  const config = await readRepoConfig(store, backup);
  if (!config.encrypted) return Repository.open(store, backup);
  const given = password ?? (await rememberedPassword(secrets, store, backup));
  if (!given) throw new DvomError('PASSWORD_REQUIRED', `backup '${backup}' is encrypted: enter its password`);
  try {
    return await Repository.open(store, backup, { kind: 'password', password: given });
  } catch (err) {
    if (isDvomError(err, 'WRONG_PASSWORD') && password === undefined) {
      throw new DvomError('WRONG_PASSWORD', `the password remembered for backup '${backup}' is wrong; enter the current one`);
    }
    throw err;
  }
}

export async function rememberPassword(secrets: SecretStore, store: StorageBackend, backup: string, password: string): Promise<void> {
  await secrets.set('backup-password', passwordAccount(store.location, backup), password);
}
