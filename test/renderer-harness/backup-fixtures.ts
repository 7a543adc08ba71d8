/** Typed canned engine data for the Backups and Restore page tests: named backups with versions, jobs by id, file-tree nodes. */
import type { BackupDto, JobDto, TreeNodeDto, VersionDto, VolumeDto } from '../../src/shared/api/dto.ts';
import type { ProgressEvent } from '../../src/shared/progress.ts';

const MINUTE = 60_000;
export const ago = (minutes: number) => new Date(Date.now() - minutes * MINUTE).toISOString();

export function version(id: string, over: Omit<Partial<VersionDto>, 'stats'> & { stats?: Partial<VersionDto['stats']> } = {}): VersionDto {
  const { stats, ...rest } = over;
  return {
    id,
    createdAt: ago(30),
    sourceKind: 'volume',
    volumes: ['pgdata'],
    verifiedAt: null,
    checked: true,
    engine: null,
    ...rest,
    stats: { files: 12, dirs: 3, links: 0, bytes: 5_400_000, addedBytes: 1_200_000, addedStoredBytes: 800_000, durationMs: 1200, ...stats },
  };
}

export function backup(name: string, over: Partial<BackupDto> = {}): BackupDto {
  return {
    name,
    createdAt: ago(60 * 24 * 3),
    encrypted: false,
    versions: 2,
    latest: version('20250101T100000Z-aaaa'),
    volumes: ['pgdata'],
    storedBytes: 2_300_000,
    passwordRemembered: false,
    damaged: null,
    ...over,
  };
}

export function job(id: string, over: Partial<JobDto> = {}): JobDto {
  return {
    id,
    kind: 'test-restore',
    title: 'Test restore',
    state: 'running',
    startedAt: ago(1),
    finishedAt: null,
    progress: null,
    result: null,
    error: null,
    ...over,
  };
}

export function progress(over: Partial<ProgressEvent> = {}): ProgressEvent {
  return { phase: 'restoring', bytesDone: 0, filesDone: 0, ...over };
}

export function node(path: string, type: TreeNodeDto['type'] = 'file', size = 0): TreeNodeDto {
  return { name: path.slice(path.lastIndexOf('/') + 1), path, type, size };
}

export function volume(name: string, over: Partial<VolumeDto> = {}): VolumeDto {
  // Empty exactly when it weighs nothing, unless a test says otherwise (an empty file weighs nothing too).
  const size = over.size === undefined ? 0 : over.size;
  return { name, driver: 'local', usedBy: [], lastBackup: null, ...over, size, empty: over.empty !== undefined ? over.empty : size === null ? null : size === 0 };
}
