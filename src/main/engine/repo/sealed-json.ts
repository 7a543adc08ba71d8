import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { integrityError } from '../errors.ts';

/**
 * Plaintext JSON documents (config, version summaries) that listing reads
 * without a password. Each carries a `seal`: an HMAC with the backup's
 * metadata key when encrypted (so any edit is detected once unlocked), or a
 * SHA-256 checksum when not (accidental corruption only: there is no secret).
 */
export type Sealed<T> = T & { seal: string };

/** JSON with object keys sorted, so the seal does not depend on key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

function computeSeal(body: unknown, macKey: Buffer | undefined): string {
  const text = canonicalJson(body);
  return macKey
    ? 'hmac-sha256:' + createHmac('sha256', macKey).update(text).digest('hex')
    : 'sha256:' + createHash('sha256').update(text).digest('hex');
}

export function sealJson<T extends object>(body: T, macKey: Buffer | undefined): Sealed<T> {
  return { ...body, seal: computeSeal(body, macKey) };
}

/**
 * Checks a document's seal. Without a key (listing without a password) an
 * HMAC seal cannot be checked; pass `macKey` whenever the backup is unlocked.
 */
export function checkSeal<T extends object>(doc: Sealed<T>, macKey: Buffer | undefined, what: string): T {
  const { seal, ...body } = doc;
  if (typeof seal !== 'string') throw integrityError(`${what} has no seal: it was modified or is not a DVOM file`);
  const keyed = seal.startsWith('hmac-sha256:');
  if (keyed && !macKey) return body as unknown as T;
  if (!keyed && macKey) throw integrityError(`${what} was modified: it is not authenticated with this backup's key`);
  const expected = Buffer.from(computeSeal(body, macKey));
  const actual = Buffer.from(seal);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw integrityError(`${what} was modified: its authentication check failed`);
  }
  return body as unknown as T;
}

export function parseJsonObject(raw: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw integrityError(`${what} is not valid JSON (corrupted?)`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw integrityError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
