import { DvomError, notFound } from '../engine/errors.ts';
import type { RepoConfig } from '../engine/repo/repo-config.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { existingRepoConfig, openBackup, passwordFinder } from './open-backup.ts';
import { readRememberedPassword, rememberedPassword } from './passwords.ts';

/** Opening a backup with nobody to ask: scheduled runs take an encrypted backup's password from the keychain. */

/** What a scheduled run needs to open its backup without asking anyone. */
export interface BackupAccess {
  store: StorageBackend;
  /** From the keychain (for an encrypted backup, or one whose config says plain but has one remembered). */
  password: string | undefined;
}

/** The backup's config; a missing backup is NOT_FOUND with what to do about it. */
export async function requireBackup(store: StorageBackend, backup: string): Promise<RepoConfig> {
  const config = await existingRepoConfig(store, backup);
  if (config) return config;
  throw notFound(
    `backup '${backup}' does not exist in ${store.location}; scheduled runs add versions to an existing backup: ` +
      `make its first backup (in the app, or dvom backup --volume=… --name=${backup} [--encrypt --remember-password])`,
  );
}

/**
 * Checks a schedule's backup can be opened unattended: it exists (scheduled
 * runs add versions to an existing backup; they never choose whether a new
 * one is encrypted), and an encrypted one has its password in the keychain.
 */
export async function backupAccess(store: StorageBackend, secrets: SecretStore, backup: string): Promise<BackupAccess> {
  const config = await requireBackup(store, backup);
  // A remembered password goes along even when the config says plain: opening then refuses a downgraded config (open-backup.ts).
  if (!config.encrypted) return { store, password: await rememberedPassword(secrets, store, backup) };
  let password: string | undefined;
  try {
    password = await readRememberedPassword(secrets, store, backup);
  } catch (err) {
    throw new DvomError('PASSWORD_REQUIRED', `backup '${backup}' is encrypted, but its password cannot be read from the keychain: ${(err as Error).message}`);
  }
  if (!password) {
    throw new DvomError(
      'PASSWORD_REQUIRED',
      `backup '${backup}' is encrypted and its password is not remembered in the ${secrets.name}, so scheduled runs cannot open it; ` +
        `remember it (in the app, or: dvom verify ${backup} --remember-password)`,
    );
  }
  return { store, password };
}

/** Opens the backup with the access checked above; a remembered password that went stale says what to do. */
export async function openUnattended(access: BackupAccess, backup: string): Promise<Repository> {
  const finder = passwordFinder(backup, undefined, async () => access.password, ' (was it changed elsewhere?); remember the current one');
  return (await openBackup(access.store, backup, finder)).repo;
}

/** True for an encrypted backup whose password the keychain does not give: its runs would fail. */
export async function passwordMissing(store: StorageBackend, secrets: SecretStore, backup: string): Promise<boolean> {
  const config = await existingRepoConfig(store, backup).catch(() => undefined);
  if (!config?.encrypted) return false;
  return !(await rememberedPassword(secrets, store, backup));
}
