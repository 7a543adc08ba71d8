import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** Blob ids: keyed HMAC in encrypted backups (content stays unrecognisable), SHA-256 otherwise. */
export function blobIdOf(key: KeyObject | Buffer | undefined, data: Buffer): string {
  return key ? createHmac('sha256', key).update(data).digest('hex') : createHash('sha256').update(data).digest('hex');
}

let imported: { raw: Buffer; key: KeyObject } | undefined;

/** The blob-id key as a worker thread receives it (raw bytes), imported once per key, not once per blob. */
export function blobIdKeyFrom(raw: Uint8Array | undefined): KeyObject | undefined {
  if (!raw) return undefined;
  if (!imported || !imported.raw.equals(raw)) imported = { raw: Buffer.from(raw), key: createSecretKey(Buffer.from(raw)) };
  return imported.key;
}
