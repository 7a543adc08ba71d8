import { createHmac, randomBytes } from 'node:crypto';

/**
 * Key-encryption keys derived from a password, kept for a few minutes in this
 * process. The app lists and opens the same backups again on every refresh;
 * without this each listing would pay the memory-hard KDF (tens of MiB and a
 * fraction of a second) once per encrypted backup. Entries are found by an
 * HMAC under a key that never leaves this process, so nothing here helps
 * anyone guess a password; the derivation is deterministic, so a cached key is
 * the one the KDF would give (the key file's authentication tag still decides
 * whether it opens anything).
 */

const MAX_ENTRIES = 32;
const TTL_MS = 10 * 60_000;

const lookupKey = randomBytes(32);
const entries = new Map<string, { kek: Buffer; expires: number }>();

/** The KEK for `secret` under these KDF parameters (salt included), derived once per TTL. */
export async function rememberedKek(secret: Buffer, kdf: object, derive: () => Promise<Buffer>): Promise<Buffer> {
  const id = createHmac('sha256', lookupKey).update(JSON.stringify(kdf)).update('\0').update(secret).digest('base64');
  const now = Date.now();
  const hit = entries.get(id);
  if (hit && hit.expires > now) {
    // Most recently used last, so the oldest is the first evicted.
    entries.delete(id);
    entries.set(id, hit);
    return Buffer.from(hit.kek);
  }
  const kek = await derive();
  entries.delete(id);
  entries.set(id, { kek: Buffer.from(kek), expires: now + TTL_MS });
  for (const [key, entry] of entries) {
    if (entries.size <= MAX_ENTRIES && entry.expires > now) break;
    entries.delete(key);
  }
  return kek;
}

/** Forgets every remembered key (tests; a password change elsewhere needs nothing: the salt changes). */
export function forgetKeks(): void {
  entries.clear();
}
