import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DvomError } from '../engine/errors.ts';
import { writePrivateFile } from '../platform/private-file.ts';
import { configPath } from './config-file.ts';

/**
 * What this machine remembers of each backup it has opened or created: its
 * repository id, whether it is encrypted, and the newest key-list generation
 * seen. The store is not trusted to say these (someone who can write to it
 * can rewrite its config), so they live next to the config file, one small
 * file per store and backup: written once and again only when the key list
 * moves on, never edited by hand, and two processes remembering two backups
 * never race on one file.
 */
export interface KnownBackup {
  format: 1;
  store: string;
  backup: string;
  repoId: string;
  encrypted: boolean;
  /** The newest key-list generation seen (0: none yet). */
  keyringGeneration: number;
}

/** The record's file: named by a hash of store and backup, so any location makes a valid file name. */
export function knownBackupFile(storeLocation: string, backup: string): string {
  const name = createHash('sha256').update(`${storeLocation}\0${backup}`).digest('hex').slice(0, 40);
  return path.join(path.dirname(configPath()), 'known-backups', `${name}.json`);
}

function isKnownBackup(v: unknown, storeLocation: string, backup: string): v is KnownBackup {
  const k = v as Partial<KnownBackup> | null;
  return (
    !!k && k.format === 1 && k.store === storeLocation && k.backup === backup && typeof k.repoId === 'string' &&
    /^[0-9a-f]{32}$/.test(k.repoId) && typeof k.encrypted === 'boolean' &&
    Number.isSafeInteger(k.keyringGeneration) && k.keyringGeneration! >= 0
  );
}

/** Records written before the field was renamed call the generation `keyring`: read as keyringGeneration. */
function withCurrentNames(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const { keyring, ...rest } = v as Record<string, unknown>;
  return keyring !== undefined && !('keyringGeneration' in rest) ? { ...rest, keyringGeneration: keyring } : v;
}

/** The record of a backup, or undefined when this machine has not used it. */
export async function readKnownBackup(storeLocation: string, backup: string): Promise<KnownBackup | undefined> {
  const file = knownBackupFile(storeLocation, backup);
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DvomError('ERROR', `cannot read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = withCurrentNames(JSON.parse(raw));
  } catch {
    value = undefined;
  }
  // A damaged record must not silently drop the protection: say so (an integrity failure, like a damaged store).
  if (!isKnownBackup(value, storeLocation, backup)) {
    throw new DvomError('INTEGRITY', `${file} (what this machine remembers of backup '${backup}') is damaged; remove it to start afresh`);
  }
  return value;
}

export async function writeKnownBackup(record: KnownBackup): Promise<void> {
  const file = knownBackupFile(record.store, record.backup);
  try {
    await writePrivateFile(file, JSON.stringify(record, null, 2) + '\n');
  } catch (err) {
    throw new DvomError('ERROR', `cannot remember backup '${record.backup}' in ${file}: ${(err as Error).message}`);
  }
}

/** Forgets a backup (it was deleted); false when there was nothing to forget. */
export async function forgetKnownBackup(storeLocation: string, backup: string): Promise<boolean> {
  try {
    await fs.unlink(knownBackupFile(storeLocation, backup));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
