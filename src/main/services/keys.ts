import { scryptFromEnv } from '../config/scrypt-env.ts';
import type { Credential } from '../engine/crypto/key-file.ts';
import { usageError } from '../engine/errors.ts';
import type { KeyInfo, Repository } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { rememberKeyListChange } from './backup-identity.ts';

/**
 * Adding and removing a backup's passwords and keys. Each change is made under
 * the exclusive lock, then this machine remembers the key list's new
 * generation: a key list from before the change, put back in the store with
 * a removed key's file, is refused from then on.
 */

export async function addKey(repo: Repository, credential: Credential, store: StorageBackend, warn: (text: string) => void): Promise<KeyInfo> {
  const scrypt = scryptFromEnv(warn);
  const added = await repo.locked('key add', true, () => repo.addKey(credential, `added ${new Date().toISOString()}`, scrypt));
  await rememberKeyListChange(store, repo);
  return added;
}

/** Removes a key other than the one the backup was opened with. */
export async function removeKey(repo: Repository, keyId: string, store: StorageBackend): Promise<void> {
  await repo.locked('key remove', true, async () => {
    const current = (await repo.listKeys()).find((k) => k.current);
    if (current?.id === keyId) throw usageError('refusing to remove the key you unlocked with; unlock with another key first');
    await repo.removeKey(keyId);
  });
  await rememberKeyListChange(store, repo);
}
