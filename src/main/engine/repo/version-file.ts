import { randomBytes } from 'node:crypto';
import { integrityError, usageError } from '../errors.ts';
import { storedSize } from '../crypto/object-format.ts';
import { parseJsonObject, type Sealed } from './sealed-json.ts';

/**
 * Counters a version records, needed by `list` and `info`. Plaintext as they
 * are for plain backups; for encrypted ones the plaintext copy is coarse and
 * the exact one is in the encrypted private part.
 */
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
  /**
   * Never stored here: an unlocked listing copies it from the private part
   * (`Repository.versions`), so the engine a version came from never shows
   * in plaintext.
   */
  engine?: VersionEngine;
}

/** The Docker engine a volume version was read from: its context name and endpoint. */
export interface VersionEngine {
  name: string;
  host: string;
}

/** Bounds that keep the private part well under its 4096 characters (longer engines are not recorded). */
const MAX_ENGINE_NAME = 128;
const MAX_ENGINE_HOST = 512;

export function isRecordableEngine(e: unknown): e is VersionEngine {
  const r = e as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && typeof r.name === 'string' && typeof r.host === 'string' &&
    r.name.length > 0 && r.name.length <= MAX_ENGINE_NAME && r.host.length > 0 && r.host.length <= MAX_ENGINE_HOST &&
    PRINTABLE.test(r.name) && PRINTABLE.test(r.host);
}

/** Printable ASCII only: what a store says is shown in terminals and pages, never control sequences. */
const PRINTABLE = /^[\x20-\x7e]+$/;

/** What a version keeps from listing: only an unlocked backup reads it. */
export interface VersionPrivate {
  /** Files cache: files with an mtime at or after this are read again by the next backup (files-cache.ts). */
  horizonMs: number;
  /** Files cache: which slot of files this version read again although cached. */
  rereadSlot: number;
  /** The exact stats of an encrypted backup's version; its plaintext ones are coarse (coarseStats). */
  stats?: VersionStats;
  /** Volume backups: the engine the volumes came from (encrypted like the rest: an endpoint names a host). */
  engine?: VersionEngine;
  /** What made the version; absent in versions written before it was recorded (read as unknown). */
  origin?: VersionOrigin;
}

/**
 * What started the backup that made a version: by hand in the app, a
 * schedule (by name), or the `dvom` command line. Kept in the private part
 * (schedule names can say what a backup is for).
 */
export type VersionOrigin = { kind: 'manual' } | { kind: 'cli' } | { kind: 'schedule'; schedule: string };
/** An origin as read: versions that record none (older ones), or one this DVOM does not know, are 'unknown'. */
export type ReadOrigin = VersionOrigin | { kind: 'unknown' };

/** A version as an opened backup lists it: with what made it. */
export interface OpenedVersion extends VersionSummary {
  origin: ReadOrigin;
}

/** The stored form carries its own format number, so a later DVOM can change it and this one reads that as unknown. */
const ORIGIN_FORMAT = 1;

export function storedOrigin(origin: VersionOrigin): Record<string, unknown> {
  return { format: ORIGIN_FORMAT, ...origin };
}

function readOrigin(raw: unknown): VersionOrigin | undefined {
  const o = raw as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || o.format !== ORIGIN_FORMAT) return undefined;
  if (o.kind === 'manual' || o.kind === 'cli') return { kind: o.kind };
  if (o.kind === 'schedule' && typeof o.schedule === 'string' && SCHEDULE_NAME.test(o.schedule)) return { kind: 'schedule', schedule: o.schedule };
  return undefined;
}

/** A schedule's name as schedules allow it (and `--origin` reads it). */
const SCHEDULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An origin as `--origin` names it: manual, cli, unknown or schedule:NAME. */
export function parseOriginOption(text: string): ReadOrigin {
  if (text === 'manual' || text === 'cli' || text === 'unknown') return { kind: text };
  const schedule = text.startsWith('schedule:') ? text.slice('schedule:'.length) : undefined;
  if (schedule !== undefined && SCHEDULE_NAME.test(schedule)) return { kind: 'schedule', schedule };
  throw usageError(`--origin must be manual, cli, unknown or schedule:NAME, got '${text}'`);
}

/** Whether two origins name the same maker. */
export function sameOrigin(a: ReadOrigin, b: ReadOrigin): boolean {
  if (a.kind === 'schedule' && b.kind === 'schedule') return a.schedule === b.schedule;
  return a.kind === b.kind && a.kind !== 'schedule';
}

const STAT_KEYS = ['files', 'dirs', 'links', 'bytes', 'addedBytes', 'addedStoredBytes', 'durationMs'] as const;

function isStats(s: unknown): s is VersionStats {
  const r = s as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && STAT_KEYS.every((k) => Number.isSafeInteger(r[k]) && (r[k] as number) >= 0);
}

export function parseVersionPrivate(raw: Buffer, what: string): VersionPrivate {
  const v = parseJsonObject(raw, what);
  if (typeof v.horizonMs !== 'number' || !Number.isFinite(v.horizonMs) || !Number.isSafeInteger(v.rereadSlot) || (v.rereadSlot as number) < 0 ||
    (v.stats !== undefined && !isStats(v.stats)) || (v.engine !== undefined && !isRecordableEngine(v.engine))) {
    throw integrityError(`${what} is malformed`);
  }
  const engine = v.engine as VersionEngine | undefined;
  const origin = readOrigin(v.origin);
  return {
    horizonMs: v.horizonMs,
    rereadSlot: v.rereadSlot as number,
    ...(v.stats ? { stats: v.stats as VersionStats } : {}),
    ...(engine ? { engine: { name: engine.name, host: engine.host } } : {}),
    ...(origin ? { origin } : {}),
  };
}

/**
 * A size as anyone who can list the store sees it for an encrypted backup:
 * rounded up to 1/32 of its power of two (at least 4 KiB), so an exact
 * changed-chunk size or compression ratio does not show (finding L1).
 */
export function coarseBytes(n: number): number {
  if (n <= 0) return 0;
  const step = Math.max(4096, 2 ** Math.floor(Math.log2(n)) / 32);
  return Math.ceil(n / step) * step;
}

/** The plaintext stats of an encrypted backup's version: counts as they are, sizes coarse, time in whole seconds. */
export function coarseStats(s: VersionStats): VersionStats {
  return {
    files: s.files,
    dirs: s.dirs,
    links: s.links,
    bytes: coarseBytes(s.bytes),
    addedBytes: coarseBytes(s.addedBytes),
    addedStoredBytes: coarseBytes(s.addedStoredBytes),
    durationMs: Math.round(s.durationMs / 1000) * 1000,
  };
}

/** Version ids sort by creation time: yyyymmddThhmmssZ-<random>. */
export function newVersionId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Bounds the encrypted exclusions (base64) a version file may carry. */
const MAX_EXCLUSIONS_TEXT = 256 * 1024;

/**
 * Refuses --exclude patterns too many to record: checked before a backup
 * starts, since a version file beyond the bound would be refused by every
 * later read (the whole backup unusable).
 */
export function checkExclusionsFit(patterns: string[]): void {
  const json = Buffer.byteLength(JSON.stringify({ patterns }));
  const text = Math.ceil(storedSize(true, json) / 3) * 4; // base64 of the encrypted form (the larger of the two)
  if (text > MAX_EXCLUSIONS_TEXT) {
    throw usageError(`too many --exclude patterns to record with the version (${json} bytes; at most about ${Math.floor((MAX_EXCLUSIONS_TEXT * 3) / 4) - 1024}): use fewer or broader ones`);
  }
}

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
    STAT_KEYS.every((k) => typeof s[k] === 'number' && (s[k] as number) >= 0);
  if (!ok) throw integrityError(`${what} is malformed`);
  return v as unknown as Sealed<VersionSummary>;
}
