import { readKnownBackup } from '../config/known-backups.ts';
import { scryptFromEnv } from '../config/scrypt-env.ts';
import { usageError } from '../engine/errors.ts';
import { Repository } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { checkKnownBackup, checkNotVanished, rememberBackup } from './backup-identity.ts';
import { existingRepoConfig, openBackup, type CredentialFinder, type FoundCredential } from './open-backup.ts';

export interface CreateOrOpenOptions {
  /** Encrypt the backup if it is created (an existing plain backup then refuses). */
  encrypt: boolean;
  /** How an existing encrypted backup is opened. */
  finder: CredentialFinder;
  /** The credential of a new encrypted backup (the CLI confirms a typed password). */
  newCredential: () => Promise<FoundCredential>;
  /** Checks before a plain backup is created (the CLI refuses a password given without --encrypt). */
  beforeCreatePlain?: () => void;
  /** A message before the (slow) key derivation of a new encrypted backup. */
  onCreateEncrypted?: () => void;
  /** Added to the refusal of encrypting an existing plain backup (the CLI says: use a new --name). */
  refusalHint?: string;
  warn: (text: string) => void;
}

export interface CreatedOrOpened {
  repo: Repository;
  /** The credential used, for --remember-password; undefined for a plain backup. */
  found: FoundCredential | undefined;
  /** Created by this call: a failed or cancelled first backup deletes it again (new-backup.ts). */
  created: boolean;
}

/** Opens the named backup, creating it on first use with the requested encryption (the CLI's backup and the app's jobs.startBackup). */
export async function createOrOpenBackup(store: StorageBackend, backup: string, options: CreateOrOpenOptions): Promise<CreatedOrOpened> {
  const known = await readKnownBackup(store.location, backup);
  const existing = await existingRepoConfig(store, backup);
  if (existing) {
    // Before the encryption check below: a backup this machine knew as encrypted that now says plain is tampering, not a usage error.
    checkKnownBackup(store, backup, existing, known);
    if (options.encrypt && !existing.encrypted) {
      throw usageError(`backup '${backup}' exists and is not encrypted; encryption is chosen when a backup is created${options.refusalHint ?? ''}`);
    }
    return { ...(await openBackup(store, backup, options.finder, { threads: true })), created: false };
  }
  checkNotVanished(store, backup, known);
  let created: CreatedOrOpened;
  if (!options.encrypt) {
    options.beforeCreatePlain?.();
    created = { repo: await Repository.create(store, backup, { encrypted: false }), found: undefined, created: true };
  } else {
    const found = await options.newCredential();
    const scrypt = scryptFromEnv(options.warn);
    options.onCreateEncrypted?.();
    created = { repo: await Repository.create(store, backup, { encrypted: true, credential: found.credential, threads: true, ...(scrypt ? { scrypt } : {}) }), found, created: true };
  }
  await rememberBackup(store, created.repo, undefined);
  return created;
}
