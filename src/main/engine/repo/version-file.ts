import { randomBytes } from 'node:crypto';
import { integrityError } from '../errors.ts';
import { parseJsonObject, type Sealed } from './sealed-json.ts';

/** Counters a version records; all plaintext, all needed by `list` and `info`. */
export interface VersionStats {
  files: number;
  dirs: number;
  links: number;
  /** Sum of file sizes in the version. */
  bytes: number;
  /** Content bytes this version added to the store (before compression). */
  addedBytes: number;
  /** Bytes this version added to the store, as stored (packs and index). */
  addedStoredBytes: number;
  durationMs: number;
}

/**
 * A point-in-time copy. Only what listing needs is plaintext; `root` names the
 * encrypted blob holding the file tree (an opaque keyed id).
 */
export interface VersionSummary {
  format: 1;
  id: string;
  repoId: string;
  createdAt: string;
  /** What was backed up: 'volume' (Docker volumes) or 'path' (a host folder). */
  sourceKind: 'volume' | 'path';
  /** Volume names (plaintext by design; empty for path backups). */
  volumes: string[];
  stats: VersionStats;
  root: string;
  /** VersionPrivate, encrypted (base64 of a stored-object encoding bound to the version's path). */
  private?: string;
  /** The --exclude patterns of the backup that made it, encrypted like `private` (patterns name paths). */
  exclusions?: string;
}

/** What a version keeps from listing: only an unlocked backup reads it. */
export interface VersionPrivate {
  /** Files cache: files with an mtime at or after this are read again by the next backup (files-cache.ts). */
  horizonMs: number;
  /** Files cache: which slot of files this version read again although cached. */
  rereadSlot: number;
}

export function parseVersionPrivate(raw: Buffer, what: string): VersionPrivate {
  const v = parseJsonObject(raw, what);
  if (typeof v.horizonMs !== 'number' || !Number.isFinite(v.horizonMs) || !Number.isSafeInteger(v.rereadSlot) || (v.rereadSlot as number) < 0) {
    throw integrityError(`${what} is malformed`);
  }
  return { horizonMs: v.horizonMs, rereadSlot: v.rereadSlot as number };
}

/** Version ids sort by creation time: yyyymmddThhmmssZ-<random>. */
export function newVersionId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Bounds the encrypted exclusions (base64) a version file may carry. */
const MAX_EXCLUSIONS_TEXT = 256 * 1024;

export function parseExclusions(raw: Buffer, what: string): string[] {
  const v = parseJsonObject(raw, what);
  if (!Array.isArray(v.patterns) || !v.patterns.every((p) => typeof p === 'string')) throw integrityError(`${what} is malformed`);
  return v.patterns as string[];
}

export const VERSION_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function parseVersionFile(raw: Buffer, what: string): Sealed<VersionSummary> {
  const v = parseJsonObject(raw, what);
  const s = v.stats as Record<string, unknown> | undefined;
  const ok =
    v.format === 1 && typeof v.id === 'string' && VERSION_ID_PATTERN.test(v.id) && typeof v.repoId === 'string' &&
    typeof v.createdAt === 'string' && !Number.isNaN(Date.parse(v.createdAt)) &&
    (v.sourceKind === 'volume' || v.sourceKind === 'path') &&
    Array.isArray(v.volumes) && v.volumes.every((x) => typeof x === 'string') &&
    typeof v.root === 'string' && typeof v.seal === 'string' && s &&
    (v.private === undefined || (typeof v.private === 'string' && v.private.length <= 4096)) &&
    (v.exclusions === undefined || (typeof v.exclusions === 'string' && v.exclusions.length <= MAX_EXCLUSIONS_TEXT)) &&
    ['files', 'dirs', 'links', 'bytes', 'addedBytes', 'addedStoredBytes', 'durationMs'].every(
      (k) => typeof s[k] === 'number' && (s[k] as number) >= 0,
    );
  if (!ok) throw integrityError(`${what} is malformed`);
  return v as unknown as Sealed<VersionSummary>;
}
