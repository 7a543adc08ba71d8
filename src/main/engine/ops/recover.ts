import { usageError } from '../errors.ts';
import { Layout } from '../repo/layout.ts';
import type { ObjectVersion, RetainingStore, StorageBackend } from '../storage/backend.ts';

export interface RecoverReport {
  /** Objects made current again: they were hidden by a delete marker or replaced by a newer version. */
  restored: string[];
  /** Delete markers and versions that were not held, removed because they hid a held version. */
  removed: number;
  /**
   * Objects that look deleted or replaced but have no held version to go back
   * to (written before append-only mode, after their hold ended, or by someone else).
   */
  unprotected: string[];
}

/** Objects that are rewritten in normal use: their versions say nothing about an attack. */
function mutable(layout: Layout, key: string): boolean {
  return key.startsWith(layout.locksPrefix) || key.startsWith(layout.verifiedPrefix);
}

/**
 * Append-only mode: objects of the backup someone hid (a delete marker on
 * top: DVOM's own deletes remove every version) or replaced (a newer version
 * with other content). Prune refuses while there are any: a hidden version
 * file would make its data look unused, stop its renewal, and let it expire.
 */
export async function tamperedObjects(store: RetainingStore, layout: Layout): Promise<string[]> {
  const out: string[] = [];
  for (const [key, versions] of await store.versions(`${layout.root}/`)) {
    if (mutable(layout, key)) continue;
    const top = versions[0]!;
    if (top.deleteMarker) {
      // A marker over nothing held is a leftover of deletes made before the mode was on.
      const stored = versions.filter((v) => !v.deleteMarker);
      for (const v of stored) {
        if (await store.versionHeldUntil(key, v.versionId)) {
          out.push(key);
          break;
        }
      }
      continue;
    }
    // The key list is rewritten at key changes; opening picks its newest sealed version.
    if (key === layout.keyring) continue;
    const oldest = versions.filter((v) => !v.deleteMarker).at(-1)!;
    if (top.etag !== oldest.etag) out.push(key);
  }
  return out;
}

/** The version DVOM wrote and the store holds, with its date; undefined when none is held. */
async function heldOriginal(store: RetainingStore, key: string, versions: ObjectVersion[], newest: boolean) {
  const stored = versions.filter((v) => !v.deleteMarker);
  // Objects are written once, so the oldest held version is the original; the key list is
  // rewritten at key changes (every version held), so its newest held one is current.
  for (const v of newest ? stored : stored.reverse()) {
    const until = await store.versionHeldUntil(key, v.versionId);
    if (until) return { version: v, until };
  }
  return undefined;
}

/**
 * Undoes deletes and overwrites of a backup in append-only mode: every object
 * whose current state is a delete marker or a newer version gets its held
 * original back. Markers and versions that are not held are removed; a newer
 * version that is itself held (someone wrote one with a hold) is covered by a
 * server-side copy of the original. Locks and verification records are never
 * held and are left alone (`dvom unlock` removes fake locks).
 */
export async function recoverBackup(backend: StorageBackend, name: string): Promise<RecoverReport> {
  const store = backend.retention;
  if (!store) throw usageError(`recover needs a target in append-only mode (S3 Object Lock); ${backend.location} keeps no old versions`);
  const layout = new Layout(name);
  const report: RecoverReport = { restored: [], removed: 0, unprotected: [] };
  for (const [key, versions] of await store.versions(`${layout.root}/`)) {
    if (mutable(layout, key)) continue;
    if (versions.length === 1 && !versions[0]!.deleteMarker) continue; // never touched
    const original = await heldOriginal(store, key, versions, key === layout.keyring);
    if (!original) {
      report.unprotected.push(key);
      continue;
    }
    if (original.version.latest) continue;
    let covered = false;
    for (const v of versions.slice(0, versions.indexOf(original.version))) {
      if (!v.deleteMarker && (await store.versionHeldUntil(key, v.versionId))) {
        covered = true;
        continue;
      }
      await store.deleteVersion(key, v.versionId);
      report.removed++;
    }
    if (covered) await store.promote(key, original.version.versionId, original.until);
    report.restored.push(key);
  }
  return report;
}
