import { updateConfig } from '../config/config-file.ts';
import type { DvomConfig, StorageTarget } from '../config/config-schema.ts';
import { backendFor } from '../config/open-store.ts';
import { probeStore, removeTarget } from '../config/targets.ts';
import { DvomError, usageError } from '../engine/errors.ts';
import { s3SecretAccount } from '../secrets/accounts.ts';
import type { SecretStore } from '../secrets/secret-store.ts';

/** Storage targets, for `dvom target` and the app's settings alike. */

/** A target of the config; an unknown name is a usage error. */
export function namedTarget(config: DvomConfig, name: string): StorageTarget {
  const target = config.targets[name];
  if (!target) throw usageError(`no storage target named '${name}'`);
  return target;
}

/**
 * Saves a target to the config (and as the default). An S3 secret key goes to
 * the keychain only; an access key needs one there (given now, or kept from before).
 */
export async function saveTarget(
  name: string,
  target: StorageTarget,
  options: { secretAccessKey?: string | undefined; makeDefault: boolean; secrets: SecretStore },
): Promise<DvomConfig> {
  if (target.type === 's3' && target.accessKeyId) {
    if (options.secretAccessKey) {
      await options.secrets.set('s3-secret-key', s3SecretAccount(name), options.secretAccessKey);
    } else if (!(await options.secrets.get('s3-secret-key', s3SecretAccount(name)).catch(() => undefined))) {
      throw usageError(`target '${name}': enter the secret key for access key ${target.accessKeyId}`);
    }
  }
  return updateConfig((c) => {
    c.targets[name] = target;
    if (options.makeDefault) c.defaultTarget = name;
  });
}

/** Removes a named target (its backups stay). */
export async function removeNamedTarget(config: DvomConfig, name: string, secrets: SecretStore): Promise<void> {
  namedTarget(config, name);
  await removeTarget(name, secrets);
}

/** Reachability and permissions of a named target: write, list, read back and delete a probe object. Resolves to its location. */
export async function testTarget(config: DvomConfig, name: string, secrets: SecretStore): Promise<string> {
  return probeTarget(name, namedTarget(config, name), secrets);
}

/**
 * The same test of settings before they are saved (the app tests a target
 * when it is saved). An S3 secret key not given is the one the keychain keeps
 * for `name`, as saving would keep it.
 */
export async function testTargetSettings(name: string, target: StorageTarget, secretAccessKey: string | undefined, secrets: SecretStore): Promise<string> {
  return probeTarget(name, target.type === 's3' && secretAccessKey ? { ...target, secretAccessKey } : target, secrets);
}

async function probeTarget(name: string, target: StorageTarget, secrets: SecretStore): Promise<string> {
  const backend = await backendFor(name, target, secrets);
  if (!(await probeStore(backend))) throw new DvomError('ERROR', `target '${name}' did not return what was written`);
  return backend.location;
}
