import { readKnownBackup } from '../config/known-backups.ts';
import { DvomError, integrityError, isDvomError } from '../engine/errors.ts';
import type { Credential } from '../engine/crypto/key-file.ts';
import type { RepoConfig } from '../engine/repo/repo-config.ts';
import { Repository, readRepoConfig, type OpenOptions } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { rememberedPasswordWrong } from '../platform/detailed-error.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { checkKnownBackup, rememberBackup } from './backup-identity.ts';
import { rememberedPassword } from './passwords.ts';

/** A credential and where it came from: a wrong one from the keychain is handled apart (it went stale). */
export interface FoundCredential {
  credential: Credential;
  /** 'keychain' for a remembered password; the CLI's other sources, or 'given' for one typed in the app. */
  source: 'keychain' | 'given' | 'key-file' | 'env-key' | 'flag' | 'env' | 'prompt';
}

/** How a front end supplies the credential of an encrypted backup. */
export interface CredentialFinder {
  /** The credential to try (the keychain's, or one given). */
  find(): Promise<FoundCredential>;
  /** A credential there is without asking anyone (given, in the environment, remembered), or undefined. */
  atHand(): Promise<FoundCredential | undefined>;
  /** The keychain's password did not open the backup: another credential, or throw (see staleRememberedPassword). */
  afterStaleKeychain(err: DvomError): Promise<FoundCredential>;
}

export interface OpenedBackup {
  repo: Repository;
  /** The credential that opened it; undefined for a backup that is not encrypted. */
  found: FoundCredential | undefined;
}

/** The backup's config, or undefined when there is no such backup. */
export async function existingRepoConfig(store: StorageBackend, backup: string): Promise<RepoConfig | undefined> {
  return readRepoConfig(store, backup).catch((err: unknown) => {
    if (isDvomError(err, 'NOT_FOUND')) return undefined;
    throw err;
  });
}

const SOURCE_NAMES: Record<FoundCredential['source'], string> = {
  keychain: 'a password remembered in the keychain',
  given: 'a password was given',
  'key-file': 'a key file was given',
  'env-key': 'DVOM_KEY is set',
  flag: 'a password was given',
  env: 'DVOM_PASSWORD is set',
  prompt: 'a password was given',
};

/**
 * Opens a backup, asking the finder for a credential only if it is encrypted.
 * The one place that decides what a wrong remembered password means: the
 * finder may offer another credential (the CLI asks on a terminal) or throw.
 *
 * It is also where a store edit cannot downgrade encryption (see
 * backup-identity.ts): the config must match what this machine remembers of
 * the backup, and a backup that says it is plain while a password or key for
 * it is at hand is refused unless this machine knows it as plain. Both checks
 * come before anything is written. Set `remember: false` to leave this
 * machine's record alone (listings), and `threads` when content is read or
 * written next (Repository OpenOptions).
 */
export async function openBackup(
  store: StorageBackend,
  backup: string,
  finder: CredentialFinder,
  options: { remember?: boolean; threads?: boolean } = {},
): Promise<OpenedBackup> {
  const known = await readKnownBackup(store.location, backup);
  const config = await readRepoConfig(store, backup);
  checkKnownBackup(store, backup, config, known);
  let opened: OpenedBackup;
  if (!config.encrypted) {
    const atHand = known ? undefined : await finder.atHand();
    if (atHand) {
      throw integrityError(
        `backup '${backup}' in ${store.location} says it is not encrypted, but ${SOURCE_NAMES[atHand.source]} for it: refusing to use it, ` +
          'since its config may have been rewritten to make the next backup write plaintext; nothing was written ' +
          '(if it really is a plain backup, run once without a password or key)',
      );
    }
    opened = { repo: await Repository.open(store, backup), found: undefined };
  } else {
    opened = await openEncrypted(store, backup, finder, { minKeyringGeneration: known?.keyringGeneration ?? 0, ...(options.threads ? { threads: true } : {}) });
  }
  // Again on the config actually opened: the store may have changed between the two reads.
  checkKnownBackup(store, backup, opened.repo.config, known);
  if (options.remember !== false) await rememberBackup(store, opened.repo, known);
  return opened;
}

async function openEncrypted(store: StorageBackend, backup: string, finder: CredentialFinder, openOptions: OpenOptions): Promise<OpenedBackup> {
  let found = await finder.find();
  try {
    return { repo: await Repository.open(store, backup, found.credential, openOptions), found };
  } catch (err) {
    if (!(isDvomError(err, 'WRONG_PASSWORD') && found.source === 'keychain')) throw err;
    found = await finder.afterStaleKeychain(err);
    return { repo: await Repository.open(store, backup, found.credential, openOptions), found };
  }
}

/**
 * A finder for the app and the scheduler: the password given, else the one
 * remembered; none at all is PASSWORD_REQUIRED (the UI asks for one), and a
 * stale remembered one is REMEMBERED_PASSWORD_WRONG with `staleHint`.
 */
export function passwordFinder(
  backup: string,
  given: string | undefined,
  remembered: () => Promise<string | undefined>,
  staleHint = '; enter the current one',
): CredentialFinder {
  const atHand = async (): Promise<FoundCredential | undefined> => {
    if (given) return { credential: { kind: 'password', password: given }, source: 'given' };
    const password = await remembered();
    return password ? { credential: { kind: 'password', password }, source: 'keychain' } : undefined;
  };
  return {
    atHand,
    async find() {
      const found = await atHand();
      if (!found) throw new DvomError('PASSWORD_REQUIRED', `backup '${backup}' is encrypted: enter its password`);
      return found;
    },
    afterStaleKeychain() {
      throw rememberedPasswordWrong(`the password remembered for backup '${backup}' is wrong${staleHint}`);
    },
  };
}

/** Opens a backup for the app: with the password the user typed, else the one remembered in the keychain. `threads`: see openBackup. */
export async function openWithPassword(
  store: StorageBackend,
  secrets: SecretStore,
  backup: string,
  password: string | undefined,
  options: { threads?: boolean } = {},
): Promise<Repository> {
  const finder = passwordFinder(backup, password, () => rememberedPassword(secrets, store, backup));
  return (await openBackup(store, backup, finder, options)).repo;
}
