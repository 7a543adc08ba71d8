import { hkdfSync } from 'node:crypto';

/**
 * Every secret a backup uses is derived from one random 32-byte master key, so
 * a password change only rewraps that key and never touches data.
 */
export interface Subkeys {
  /** Encrypts stored objects (object-cipher.ts). */
  readonly enc: Buffer;
  /** Keys chunk ids, so equal content is not recognisable across backups. */
  readonly blobId: Buffer;
  /** Authenticates the plaintext metadata that listing reads without a password. */
  readonly metaMac: Buffer;
  /** Seeds the chunker's gear table, so chunk boundaries reveal nothing. */
  readonly chunkerSeed: Buffer;
}

export const MASTER_KEY_SIZE = 32;

function derive(master: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `dvom ${label} v1`, 32));
}

export function deriveSubkeys(master: Buffer): Subkeys {
  if (master.length !== MASTER_KEY_SIZE) throw new Error(`master key must be ${MASTER_KEY_SIZE} bytes`);
  return {
    enc: derive(master, 'enc'),
    blobId: derive(master, 'blob-id'),
    metaMac: derive(master, 'meta-mac'),
    chunkerSeed: derive(master, 'chunker'),
  };
}
