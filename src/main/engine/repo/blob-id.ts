import { createHash, createHmac, type KeyObject } from 'node:crypto';

/** Blob ids: keyed HMAC in encrypted backups (content stays unrecognisable), SHA-256 otherwise. */
export function blobIdOf(key: KeyObject | Buffer | undefined, data: Buffer): string {
  return key ? createHmac('sha256', key).update(data).digest('hex') : createHash('sha256').update(data).digest('hex');
}
