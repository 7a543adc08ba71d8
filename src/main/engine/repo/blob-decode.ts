import type { KeyObject } from 'node:crypto';
import { integrityError } from '../errors.ts';
import { blobIdOf } from './blob-id.ts';
import { decompressSync } from './compression.ts';

/** A blob's plaintext from its stored payload, checked against its id (on whichever thread calls it). */
export function decodeBlob(
  id: string,
  what: string,
  payload: Buffer,
  rawLength: number,
  compressed: boolean,
  idKey: KeyObject | Buffer | undefined,
): Buffer {
  const plain = compressed ? decompressSync(payload, rawLength, what) : payload;
  if (plain.length !== rawLength || blobIdOf(idKey, plain) !== id) throw integrityError(`${what} does not match its id (corrupted data)`);
  return plain;
}
