import { DvomError, usageError } from '../engine/errors.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { LocalBackend } from '../engine/storage/local-backend.ts';
import type { S3Settings } from '../engine/storage/s3-backend.ts';
import { s3SecretAccount } from '../secrets/accounts.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { DvomConfig, S3Target, StorageTarget } from './config-schema.ts';
import { defaultStoreDir } from './store-location.ts';

/** How the user chose a store on the command line (or the app in its settings). */
export interface StoreSelection {
  /** --storage=s3 with --s3-* flags: an ad-hoc S3 target. */
  s3?: Partial<S3Target>;
  /** --target=NAME: a named target from the config. */
  target?: string;
  /** --backup-dir=DIR */
  backupDir?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

async function s3Settings(name: string, t: S3Target, secrets: SecretStore | undefined): Promise<S3Settings> {
  const settings: S3Settings = {
    bucket: t.bucket,
    ...(t.prefix ? { prefix: t.prefix } : {}),
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
    ...(t.region ? { region: t.region } : {}),
    ...(t.pathStyle !== undefined ? { forcePathStyle: t.pathStyle } : {}),
    ...(t.profile ? { profile: t.profile } : {}),
    ...(t.objectLock
      ? { objectLock: { mode: t.objectLock.mode === 'governance' ? 'GOVERNANCE' : 'COMPLIANCE', retentionMs: t.objectLock.days * DAY_MS } }
      : {}),
  };
  if (t.accessKeyId) {
    let secret = t.secretAccessKey;
    if (!secret && secrets) {
      try {
        secret = await secrets.get('s3-secret-key', s3SecretAccount(name));
      } catch (err) {
        throw new DvomError('ERROR', `the S3 secret key of target '${name}' is kept in the keychain, but ${(err as Error).message}`);
      }
    }
    if (!secret) {
      throw usageError(`target '${name}' has access key ${t.accessKeyId} but no secret key: store it with dvom target add ${name} --type=s3 … --access-key=${t.accessKeyId} --secret-stdin`);
    }
    settings.credentials = { accessKeyId: t.accessKeyId, secretAccessKey: secret };
  }
  return settings;
}

/** Builds the backend for a target definition. */
export async function backendFor(name: string, target: StorageTarget, secrets: SecretStore | undefined): Promise<StorageBackend> {
  if (target.type === 'local') return new LocalBackend(target.path);
  // The AWS SDK is loaded only for S3 stores: it is large and slows every start.
  const { S3Backend } = await import('../engine/storage/s3-backend.ts');
  return new S3Backend(await s3Settings(name, target, secrets));
}

/**
 * The named target a selection opens (what openStore below chooses), or
 * undefined for an unnamed store (ad-hoc S3 flags, a folder, the per-user store).
 */
export function selectedTargetName(selection: StoreSelection, config: DvomConfig): string | undefined {
  if (selection.s3) return undefined;
  return selection.target ?? (selection.backupDir || process.env.DVOM_BACKUP_DIR ? undefined : config.defaultTarget);
}

/**
 * Chooses the store: --storage=s3 flags, else --target, else --backup-dir,
 * else DVOM_BACKUP_DIR, else the config's default target, else the per-user
 * local store.
 */
export async function openStore(
  selection: StoreSelection,
  config: DvomConfig,
  secrets: SecretStore | undefined,
): Promise<StorageBackend> {
  if (selection.s3) {
    const { s3TargetSchema } = await import('./config-schema.ts'); // zod: loaded only when needed
    const parsed = s3TargetSchema.safeParse({ type: 's3', ...selection.s3 });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw usageError(`--s3-${String(issue.path[0] ?? 'bucket')}: ${issue.message}`);
    }
    return backendFor('(command line)', parsed.data, secrets);
  }
  const named = selectedTargetName(selection, config);
  if (named) {
    const target = config.targets[named];
    if (!target) throw usageError(`no storage target named '${named}' (see: dvom target list)`);
    return backendFor(named, target, secrets);
  }
  return new LocalBackend(selection.backupDir || process.env.DVOM_BACKUP_DIR || defaultStoreDir());
}
