import { createCipheriv, createHash } from 'node:crypto';

/** Length in bytes of a gear-table seed (an AES-256 key). */
export const GEAR_SEED_BYTES = 32;

/**
 * Seed for unencrypted backups. It is public, so boundaries of unencrypted
 * backups are reproducible by anyone; that is acceptable because their content
 * is not secret anyway. Treat as read-only.
 */
export const PUBLIC_GEAR_SEED: Uint8Array = new Uint8Array(
  createHash('sha256').update('dvom-public-gear-v1', 'utf8').digest(),
);

/**
 * Derives the 256-entry gear table used by the FastCDC rolling hash.
 *
 * The table is the AES-256-CTR keystream (key = seed, zero IV) over 1 KiB of
 * zeros, read as little-endian 32-bit words. With a secret seed the table is
 * unpredictable, so chunk lengths leak nothing useful about the content.
 */
export function gearTableFromSeed(seed: Uint8Array): Uint32Array {
  if (!(seed instanceof Uint8Array) || seed.length !== GEAR_SEED_BYTES) {
    throw new TypeError(`gear seed must be a ${GEAR_SEED_BYTES}-byte Uint8Array`);
  }
  const cipher = createCipheriv('aes-256-ctr', seed, Buffer.alloc(16));
  const stream = Buffer.concat([cipher.update(Buffer.alloc(256 * 4)), cipher.final()]);
  const table = new Uint32Array(256);
  // Explicit little-endian read so the table is identical on every platform.
  for (let i = 0; i < 256; i++) table[i] = stream.readUInt32LE(i * 4);
  return table;
}
