import { DvomError, notFound } from '../engine/errors.ts';
import type { RepoConfig } from '../engine/repo/repo-config.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { createOrOpenBackup } from './create-or-open.ts';
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
      `make its first backup (in the app, or dvom backup --volume=… --name=${backup} [--encrypt --remember-password]), ` +
      'or make the schedule start it (choose its encryption in the app, or dvom schedule add … --encrypt or --no-encrypt)',
  );
}

/**
 * Checks a schedule's backup can be opened unattended: it exists, unless the
 * schedule chose (`encrypt`) how its first run creates it, and an encrypted
 * one (existing or to be created) has its password in the keychain.
 */
export async function backupAccess(store: StorageBackend, secrets: SecretStore, backup: string, encrypt?: boolean): Promise<BackupAccess> {
  // A schedule that starts its backup (`encrypt` chosen): the first run creates it, with the keychain's password when encrypted.
  const config = encrypt === undefined ? await requireBackup(store, backup) : ((await existingRepoConfig(store, backup)) ?? { encrypted: encrypt });
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

/**
 * Opens the backup with the access checked above; a remembered password that
 * went stale says what to do. With `encrypt` (a schedule that starts its
 * backup), a missing backup is created, encrypted with the keychain's password
 * or not, through the one create-or-open path (which refuses a backup this
 * machine knew and that vanished).
 */
export async function openUnattended(
  access: BackupAccess,
  backup: string,
  encrypt?: boolean,
  warn: (text: string) => void = () => {},
): Promise<{ repo: Repository; created: boolean }> {
  const finder = passwordFinder(backup, undefined, async () => access.password, ' (was it changed elsewhere?); remember the current one');
  if (encrypt === undefined) return { repo: (await openBackup(access.store, backup, finder, { threads: true })).repo, created: false };
  const created = await createOrOpenBackup(access.store, backup, {
    encrypt,
    finder,
    newCredential: async () => {
      if (!access.password) throw new DvomError('PASSWORD_REQUIRED', `backup '${backup}' is to be created encrypted, but its password is not remembered`);
      return { credential: { kind: 'password', password: access.password }, source: 'keychain' };
    },
    warn,
  });
  return { repo: created.repo, created: created.created };
}

/** True for an encrypted backup (or one a schedule creates encrypted: `encrypt`) whose password the keychain does not give: its runs would fail. */
export async function passwordMissing(store: StorageBackend, secrets: SecretStore, backup: string, encrypt?: boolean): Promise<boolean> {
  const config = await existingRepoConfig(store, backup).catch(() => null);
  // null: the store could not be read (nothing to tell); undefined: no such backup yet.
  const encrypted = config === null ? false : config === undefined ? encrypt === true : config.encrypted;
  if (!encrypted) return false;
  return !(await rememberedPassword(secrets, store, backup));
}
