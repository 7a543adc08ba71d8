/**
 * On-store object framing, shared by encrypted and plain objects.
 *
 * Every object starts with an 8-byte magic and a format version byte, so a
 * reader can tell encrypted from plain objects before it trusts any metadata:
 *
 *   encrypted: "DVOM-ENC" | 0x01 | salt (32) | segments...
 *   plain:     "DVOM-RAW" | 0x01 | payload
 *
 * Encrypted payloads are cut into 64 KiB segments, each sealed with
 * AES-256-GCM (ciphertext followed by its 16-byte tag). See object-cipher.ts.
 */
export const ENC_MAGIC = Buffer.from('DVOM-ENC', 'ascii');
export const RAW_MAGIC = Buffer.from('DVOM-RAW', 'ascii');
export const FORMAT_VERSION = 1;
export const SALT_SIZE = 32;
export const ENC_HEADER_SIZE = ENC_MAGIC.length + 1 + SALT_SIZE;
export const RAW_HEADER_SIZE = RAW_MAGIC.length + 1;
export const SEGMENT_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const SEALED_SEGMENT_SIZE = SEGMENT_SIZE + TAG_SIZE;

export type ObjectKind = 'encrypted' | 'plain' | 'unknown';

/** Identifies an object's framing from its first bytes. */
export function detectObjectKind(head: Buffer): ObjectKind {
  if (head.length >= ENC_MAGIC.length && head.subarray(0, ENC_MAGIC.length).equals(ENC_MAGIC)) return 'encrypted';
  if (head.length >= RAW_MAGIC.length && head.subarray(0, RAW_MAGIC.length).equals(RAW_MAGIC)) return 'plain';
  return 'unknown';
}

/** Number of stored bytes an object with `plainLength` payload bytes occupies. */
export function storedSize(encrypted: boolean, plainLength: number): number {
  if (!encrypted) return RAW_HEADER_SIZE + plainLength;
  const segments = Math.max(1, Math.ceil(plainLength / SEGMENT_SIZE));
  return ENC_HEADER_SIZE + plainLength + segments * TAG_SIZE;
}
