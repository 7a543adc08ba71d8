import { scryptFromEnv } from '../config/scrypt-env.ts';
import type { Credential } from '../engine/crypto/key-file.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { passwordAccount } from '../secrets/accounts.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { rememberKeyListChange } from './backup-identity.ts';

/** Backup passwords remembered in the OS keychain, one per backup of a store. */

/** A remembered password, or undefined when none is remembered or there is no keychain. */
export async function rememberedPassword(secrets: SecretStore, store: StorageBackend, backup: string): Promise<string | undefined> {
  try {
    return await readRememberedPassword(secrets, store, backup);
  } catch {
    return undefined;
  }
}

/** A remembered password; a keychain that cannot be read throws (KeychainUnavailableError). */
export function readRememberedPassword(secrets: SecretStore, store: StorageBackend, backup: string): Promise<string | undefined> {
  return secrets.get('backup-password', passwordAccount(store.location, backup));
}

export async function rememberPassword(secrets: SecretStore, store: StorageBackend, backup: string, password: string): Promise<void> {
  await secrets.set('backup-password', passwordAccount(store.location, backup), password);
}

/** Removes a remembered password; false when none was remembered. */
export function forgetPassword(secrets: SecretStore, store: StorageBackend, backup: string): Promise<boolean> {
  return secrets.delete('backup-password', passwordAccount(store.location, backup));
}

/** After a password change: a remembered password is replaced (else the next run would fail); none stays none. */
export async function updateRememberedPassword(secrets: SecretStore, store: StorageBackend, backup: string, password: string): Promise<void> {
  if (await rememberedPassword(secrets, store, backup)) await rememberPassword(secrets, store, backup, password);
}

/** Changes a backup's password or key (rewrites only its key file) and keeps a remembered password up to date. */
export async function changeCredential(
  repo: Repository,
  credential: Credential,
  keychain: { secrets: SecretStore; store: StorageBackend; warn: (text: string) => void },
): Promise<void> {
  const scrypt = scryptFromEnv(keychain.warn);
  await repo.locked('passwd', true, () => repo.changeCredential(credential, scrypt));
  try {
    // The old password no longer opens the backup: a remembered one is replaced whatever happens next.
    if (credential.kind === 'password') await updateRememberedPassword(keychain.secrets, keychain.store, repo.name, credential.password);
  } finally {
    // The key list moved on: from now on this machine refuses the one before (it still lists the old key).
    await rememberKeyListChange(keychain.store, repo);
  }
}
