import { readFileSync } from 'node:fs';
import { DvomError, parseRawKey, usageError, type Credential, type StorageBackend } from '../engine/index.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { FoundCredential } from '../services/open-backup.ts';
import { readRememberedPassword } from '../services/passwords.ts';
import type { Output } from './output.ts';
import { promptHidden } from './prompt.ts';

export interface CredentialFlags {
  password?: string;
  'key-file'?: string;
}

export interface CredentialPurpose {
  backup: string;
  store: StorageBackend;
  confirm?: boolean;
  secrets?: SecretStore;
  skipKeychain?: boolean;
}

/**
 * Where a password or key comes from, in order: --key-file, DVOM_KEY,
 * --password (warned: visible to other users in the process list),
 * DVOM_PASSWORD, the keychain (if a password was remembered), then a hidden
 * prompt on a terminal.
 */
export async function getCredential(flags: CredentialFlags, output: Output, purpose: CredentialPurpose): Promise<FoundCredential> {
  const found = await credentialAtHand(flags, output, purpose);
  if (found) return found;
  if (!process.stdin.isTTY) {
    throw usageError(
      `backup '${purpose.backup}' needs a password: set DVOM_PASSWORD, use --key-file, remember it in the keychain (--remember-password), or run in a terminal to be asked`,
    );
  }
  const password = await askPassword(`Password for backup '${purpose.backup}': `, purpose.confirm ?? false);
  return { credential: { kind: 'password', password }, source: 'prompt' };
}

/** The credential given or remembered (everything but the prompt), or undefined. */
export async function credentialAtHand(flags: CredentialFlags, output: Output, purpose: CredentialPurpose): Promise<FoundCredential | undefined> {
  if (flags['key-file']) {
    let text: string;
    try {
      text = readFileSync(flags['key-file'], 'utf8');
    } catch (err) {
      throw usageError(`cannot read key file '${flags['key-file']}': ${(err as Error).message}`);
    }
    return { credential: { kind: 'raw-key', key: parseRawKey(text, `key file '${flags['key-file']}'`) }, source: 'key-file' };
  }
  if (process.env.DVOM_KEY) return { credential: { kind: 'raw-key', key: parseRawKey(process.env.DVOM_KEY, 'DVOM_KEY') }, source: 'env-key' };
  if (flags.password !== undefined) {
    output.warn('a password given with --password is visible to other users in the process list; prefer DVOM_PASSWORD or the prompt');
    return { credential: checked(flags.password, '--password'), source: 'flag' };
  }
  if (process.env.DVOM_PASSWORD !== undefined) return { credential: checked(process.env.DVOM_PASSWORD, 'DVOM_PASSWORD'), source: 'env' };
  if (purpose.secrets && !purpose.skipKeychain && !purpose.confirm) {
    try {
      const stored = await readRememberedPassword(purpose.secrets, purpose.store, purpose.backup);
      if (stored) return { credential: { kind: 'password', password: stored }, source: 'keychain' };
    } catch {
      // No usable keychain: ask instead (never fall back to a file).
    }
  }
  return undefined;
}

function checked(password: string, source: string): Credential {
  if (!password) throw usageError(`${source} is empty`);
  return { kind: 'password', password };
}

export async function askPassword(question: string, confirm: boolean): Promise<string> {
  const password = await promptHidden(question).catch(cancelled);
  if (!password) throw usageError('the password must not be empty');
  if (confirm && (await promptHidden('Repeat password: ').catch(cancelled)) !== password) {
    throw usageError('the passwords do not match');
  }
  return password;
}

function cancelled(err: unknown): never {
  if ((err as { code?: string }).code === 'CANCELLED') throw new DvomError('CANCELLED', 'cancelled');
  throw usageError((err as Error).message);
}
