import { randomBytes } from 'node:crypto';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { s3SecretAccount } from '../secrets/accounts.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { updateConfig } from './config-file.ts';
import type { StorageTarget } from './config-schema.ts';

/** Storage targets, for the CLI (dvom target) and the app's settings alike. */

/** Where a target stores, in a few words: its folder, or s3://bucket/prefix (at the endpoint). */
export function describeTarget(t: StorageTarget): string {
  if (t.type === 'local') return t.path;
  const lock = t.objectLock ? `, append-only (Object Lock ${t.objectLock.mode}, ${t.objectLock.days} days)` : '';
  return `s3://${t.bucket}/${t.prefix ?? ''}${t.endpoint ? ` at ${t.endpoint}` : ''}${lock}`;
}

/** Removes a target from the config (and as the default), and its S3 secret key from the keychain; its backups stay. */
export async function removeTarget(name: string, secrets: SecretStore): Promise<void> {
  await updateConfig((c) => {
    delete c.targets[name];
    if (c.defaultTarget === name) delete c.defaultTarget;
  });
  await secrets.delete('s3-secret-key', s3SecretAccount(name)).catch(() => false);
}

/**
 * Reachability and permissions: writes, lists, reads back and deletes a probe
 * object (never held); in append-only mode, first that the bucket has Object
 * Lock enabled. False when the store returned something else.
 */
export async function probeStore(backend: StorageBackend): Promise<boolean> {
  await backend.retention?.check();
  const key = `probes/${randomBytes(8).toString('hex')}`;
  const data = randomBytes(64);
  await backend.put(key, data, { mutable: true });
  let result: boolean;
  try {
    let listed = false;
    for await (const obj of backend.list('probes/')) if (obj.key === key) listed = true;
    const back = await backend.get(key);
    result = listed && back.equals(data);
  } catch (err) {
    // What failed first is what the user needs to see; the probe is removed if the store lets us.
    await backend.delete(key).catch(() => undefined);
    throw err;
  }
  await backend.delete(key); // deleting is one of the permissions being tested
  return result;
}
