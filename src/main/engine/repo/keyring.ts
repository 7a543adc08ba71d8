import { ObjectNotFoundError, integrityError, isDvomError } from '../errors.ts';
import type { RetainingStore, StorageBackend } from '../storage/backend.ts';
import type { Layout } from './layout.ts';
import { checkSeal, parseJsonObject, sealJson, type Sealed } from './sealed-json.ts';

/**
 * The sealed list of the key ids that may unlock a backup. Key files are
 * plaintext objects anyone with write access to the store can put back; this
 * list, sealed with the backup's metadata key, is what makes a removed or
 * replaced key (after `dvom passwd` or `dvom key remove`) stay removed.
 * `generation` grows with every change, so a machine that remembers the last
 * one it saw can tell when an older list was put back.
 */
export interface Keyring {
  format: 1;
  /** Tells this sealed document apart from the others sealed with the same key (config, versions). */
  type: 'keyring';
  repoId: string;
  generation: number;
  keys: string[];
}

export const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

function parseKeyring(raw: Buffer, what: string): Sealed<Keyring> {
  const k = parseJsonObject(raw, what);
  const ok =
    k.format === 1 && k.type === 'keyring' && typeof k.repoId === 'string' && Number.isSafeInteger(k.generation) &&
    (k.generation as number) >= 1 && Array.isArray(k.keys) && k.keys.every((id) => typeof id === 'string' && KEY_ID_PATTERN.test(id)) &&
    typeof k.seal === 'string';
  if (!ok) throw integrityError(`${what} is malformed`);
  return k as unknown as Sealed<Keyring>;
}

function checkedKeyring(raw: Buffer, what: string, macKey: Buffer, repoId: string): Keyring {
  const keyring = checkSeal(parseKeyring(raw, what), macKey, what);
  if (keyring.repoId !== repoId) throw integrityError(`${what} belongs to another backup (moved in?)`);
  return keyring;
}

/** At most this many stored versions of the key list are read (one per key change). */
const MAX_KEYRING_VERSIONS = 64;

/**
 * Append-only mode: every version of the list stays stored, so the one with
 * the highest generation among those whose seal holds is the current list,
 * whatever someone with the store's credentials deleted, overwrote or put back.
 */
async function newestKeyringVersion(store: RetainingStore, layout: Layout, macKey: Buffer, repoId: string, what: string): Promise<Keyring | undefined> {
  const versions = ((await store.versions(layout.keyring)).get(layout.keyring) ?? []).filter((v) => !v.deleteMarker);
  let best: Keyring | undefined;
  let firstError: unknown;
  for (const v of versions.slice(0, MAX_KEYRING_VERSIONS)) {
    try {
      const keyring = checkedKeyring(await store.getVersion(layout.keyring, v.versionId), what, macKey, repoId);
      if (!best || keyring.generation > best.generation) best = keyring;
    } catch (err) {
      if (!isDvomError(err, 'INTEGRITY')) throw err;
      firstError ??= err;
    }
  }
  if (!best && firstError) throw firstError;
  return best;
}

/** The backup's key list, its seal checked; undefined when the backup has none (made before it existed). */
export async function readKeyring(backend: StorageBackend, layout: Layout, macKey: Buffer, repoId: string): Promise<Keyring | undefined> {
  const what = `key list of backup '${layout.name}'`;
  if (backend.retention) return newestKeyringVersion(backend.retention, layout, macKey, repoId, what);
  let raw: Buffer;
  try {
    raw = await backend.get(layout.keyring);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
  return checkedKeyring(raw, what, macKey, repoId);
}

/**
 * Stores a key list. `replace` overwrites the current one (callers hold the
 * backup's exclusive lock); otherwise the put is create-only, so two
 * processes writing a first list cannot both succeed.
 */
export async function writeKeyring(backend: StorageBackend, layout: Layout, macKey: Buffer, keyring: Keyring, replace: boolean): Promise<void> {
  const body = Buffer.from(JSON.stringify(sealJson(keyring, macKey), null, 2));
  await backend.put(layout.keyring, body, replace ? { overwrite: true } : {});
}
