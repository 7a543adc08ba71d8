import type { ProgressEvent } from '../progress.ts';
import type { ApiErrorShape } from './errors.ts';

/**
 * Plain JSON shapes that cross the boundary between the engine (main process
 * or `dvom serve`) and the renderer. No secret ever appears in them.
 */
export interface AppInfo {
  version: string;
  /** Where backups are stored (a folder or s3://bucket/prefix). */
  storeLocation: string;
  dockerHost: string;
  /** The Docker engine in use, and what chose it (--context, DOCKER_HOST, DOCKER_CONTEXT, the app's choice, the docker CLI's). */
  engine: EngineDto & { source: EngineSourceDto };
  keychain: string;
}

export type EngineSourceDto = 'flag' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'dvom-config' | 'docker-config' | 'built-in';

/** A Docker engine: a docker CLI context ('default': DOCKER_HOST or the local socket). */
export interface EngineDto {
  name: string;
  /** Its endpoint: unix://…, tcp://host:port, … */
  host: string;
}

export interface EngineChoiceDto extends EngineDto {
  description?: string;
  /** The engine the app uses now. */
  current: boolean;
}

export interface VolumeUserDto {
  name: string;
  running: boolean;
  /** The container's image, as Docker lists it (for the backup dialog's hook presets). */
  image?: string;
}

export interface VolumeDto {
  name: string;
  driver: string;
  /** Bytes, or null when the engine cannot tell. */
  size: number | null;
  /**
   * The volume holds no file, folder or link at all (asked of Docker, not
   * guessed from `size`: empty files and folders weigh 0 bytes); null when
   * it could not be looked into.
   */
  empty: boolean | null;
  usedBy: VolumeUserDto[];
  /**
   * ISO time of the newest version containing this volume, and which backup;
   * `checked`: its record's seal was checked with the backup's key (or the
   * backup is plain), false when an encrypted backup was listed without it.
   */
  lastBackup: { at: string; backup: string; checked: boolean; target?: string | null } | null;
  /**
   * The newest version holding this volume in each store that has one,
   * newest first (`target` null: the default store when it is not a named
   * target). Absent from older engines: then only `lastBackup` is known.
   */
  lastBackups?: LastBackupDto[];
  /** Stores whose backups could not be read (offline, no access): the volume's last backup there is unknown. */
  lastBackupUnknown?: { target: string | null; error: string }[];
  /** The Docker Compose project (stack) it belongs to; absent for a volume of no stack. */
  stack?: string;
}

export interface LastBackupDto {
  at: string;
  backup: string;
  checked: boolean;
  target: string | null;
}

export interface VersionStatsDto {
  files: number;
  dirs: number;
  links: number;
  bytes: number;
  addedBytes: number;
  addedStoredBytes: number;
  durationMs: number;
}

/**
 * What made a version: a backup started by hand in the app, `dvom backup`, or
 * a schedule. 'unknown': made before DVOM recorded it, or an encrypted backup
 * listed without its password (the origin is stored encrypted).
 */
export type VersionOriginDto = { kind: 'manual' | 'cli' | 'unknown' } | { kind: 'schedule'; schedule: string };

export interface VersionDto {
  id: string;
  createdAt: string;
  sourceKind: 'volume' | 'path';
  volumes: string[];
  stats: VersionStatsDto;
  /** When this version was last verified: a test restore passed, or a verify that read all data (--read-data). */
  verifiedAt: string | null;
  /**
   * This record and its verification were checked with the backup's key (or
   * the backup is plain). False: an encrypted backup listed without a
   * password at hand, so `verifiedAt` is the store's unchecked word.
   */
  checked: boolean;
  /** The engine a volume version was read from (null: not recorded, or encrypted and listed without its password). */
  engine: EngineDto | null;
  /** What made it (absent from older servers: read as unknown). */
  origin?: VersionOriginDto;
}

/** One entry of a version's file tree, for choosing what to restore. */
export interface TreeNodeDto {
  name: string;
  /** Relative to the volume (or folder) root, '/'-separated. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';
  size: number;
}

export interface BackupDto {
  name: string;
  createdAt: string;
  encrypted: boolean;
  versions: number;
  latest: VersionDto | null;
  volumes: string[];
  storedBytes: number;
  /** A password for it is remembered in the keychain. */
  passwordRemembered: boolean;
  /** Why its metadata cannot be read (tampered or corrupted), or null when it is fine. */
  damaged: string | null;
}

export type JobKind = 'backup' | 'restore' | 'test-restore' | 'verify';
export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export type { ApiErrorShape } from './errors.ts';

export interface JobDto {
  id: string;
  kind: JobKind;
  /** Human title, e.g. "Back up pgdata to secure-backup". */
  title: string;
  state: JobState;
  startedAt: string;
  finishedAt: string | null;
  progress: ProgressEvent | null;
  /** A one-line summary of the outcome once finished. */
  result: string | null;
  error: ApiErrorShape | null;
  /** The target the job worked on, when it named one (else the default store). */
  target?: string;
  /** The backup the job worked on (for a link to it). */
  backup?: string;
  /** The schedule whose run this is (for Retry: run it now). */
  schedule?: string;
  /** How long containers stopped for the job were down, in milliseconds, once they are running again. */
  containersDownMs?: number;
}

export interface TargetDto {
  name: string;
  type: 'local' | 's3';
  location: string;
  isDefault: boolean;
  /** Non-secret settings, for editing (an S3 secret key is never included). */
  settings: {
    path?: string;
    bucket?: string;
    prefix?: string;
    endpoint?: string;
    region?: string;
    pathStyle?: boolean;
    accessKeyId?: string;
    /** A secret key is stored (in the keychain or the config file). */
    hasSecret?: boolean;
    /** Append-only mode: new objects are held by S3 Object Lock for `days`. */
    objectLock?: { days: number; mode: 'compliance' | 'governance' };
  };
}

/** A lock on a backup, as the Unlock action reports it. */
export interface LockDto {
  operation: string;
  host: string;
  pid: number;
  exclusive: boolean;
  createdAt: string;
}
