import { integrityError } from '../errors.ts';
import type { ChunkerParams } from '../chunker/fastcdc.ts';
import { parseJsonObject, type Sealed } from './sealed-json.ts';

/**
 * Format 2 (written since key lists exist): an encrypted backup must have a
 * sealed key list (keyring.json); format 1 backups get one on first unlock.
 */
export const REPO_FORMAT = 2;

/** The plaintext config of one backup; sealed (see sealed-json.ts). */
export interface RepoConfig {
  format: 1 | 2;
  /** Random id; binds keys and versions to this backup. */
  id: string;
  name: string;
  createdAt: string;
  encrypted: boolean;
  chunker: ChunkerParams;
}

export function parseRepoConfig(raw: Buffer, what: string): Sealed<RepoConfig> {
  const c = parseJsonObject(raw, what);
  const chunker = c.chunker as Partial<ChunkerParams> | undefined;
  const ok =
    (c.format === 1 || c.format === REPO_FORMAT) && typeof c.id === 'string' && /^[0-9a-f]{32}$/.test(c.id) && typeof c.name === 'string' &&
    typeof c.createdAt === 'string' && typeof c.encrypted === 'boolean' && typeof c.seal === 'string' &&
    chunker && [chunker.minSize, chunker.avgSize, chunker.maxSize].every((n) => Number.isInteger(n) && (n as number) > 0);
  if (!ok) {
    if (typeof c.format === 'number' && c.format !== 1 && c.format !== REPO_FORMAT) throw integrityError(`${what}: unsupported format ${c.format}; upgrade dvom`);
    throw integrityError(`${what} is malformed`);
  }
  return c as unknown as Sealed<RepoConfig>;
}
