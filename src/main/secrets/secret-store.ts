import type { AsyncEntry } from '@napi-rs/keyring';
import { DvomError } from '../engine/errors.ts';

/** The keychain service name all DVOM secrets live under. */
export const KEYCHAIN_SERVICE = 'io.dvom';

/** What a secret is for; the account name in the keychain is `<kind>:<name>`. */
export type SecretKind = 'backup-password' | 's3-secret-key';

export interface SecretStore {
  /** Human name of the store, for messages ("Secret Service", "macOS Keychain"). */
  readonly name: string;
  get(kind: SecretKind, name: string): Promise<string | undefined>;
  set(kind: SecretKind, name: string, secret: string): Promise<void>;
  /** True if something was removed. */
  delete(kind: SecretKind, name: string): Promise<boolean>;
}

export class KeychainUnavailableError extends DvomError {
  constructor(storeName: string, cause: unknown) {
    super(
      'ERROR',
      `the ${storeName} is not available (${(cause as Error)?.message ?? String(cause)}); ` +
        (process.platform === 'linux'
          ? 'start a Secret Service such as gnome-keyring or KWallet and unlock it'
          : 'unlock your keychain'),
      { cause },
    );
    this.name = 'KeychainUnavailableError';
  }
}

function storeName(): string {
  if (process.platform === 'darwin') return 'macOS Keychain';
  if (process.platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service keyring';
}

/**
 * The OS keychain via @napi-rs/keyring. On Linux the entries are pinned to the
 * Secret Service: the library would otherwise fall back to the kernel keyring,
 * which forgets secrets on reboot. If no keychain is usable, every call fails
 * with KeychainUnavailableError; callers then prompt instead, and never write
 * secrets to a file.
 */
export class OsKeychain implements SecretStore {
  readonly name = storeName();

  private async entry(kind: SecretKind, name: string): Promise<AsyncEntry> {
    // The native module is loaded on first use, so commands that need no secret start faster.
    const { AsyncEntry: Entry } = await import('@napi-rs/keyring');
    return new Entry(KEYCHAIN_SERVICE, `${kind}:${name}`, { linux: { store: 'secret-service' } });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new KeychainUnavailableError(this.name, err);
    }
  }

  async get(kind: SecretKind, name: string): Promise<string | undefined> {
    return (await this.call(async () => (await this.entry(kind, name)).getPassword())) ?? undefined;
  }

  async set(kind: SecretKind, name: string, secret: string): Promise<void> {
    await this.call(async () => (await this.entry(kind, name)).setPassword(secret));
  }

  async delete(kind: SecretKind, name: string): Promise<boolean> {
    return this.call(async () => (await this.entry(kind, name)).deleteCredential());
  }
}
