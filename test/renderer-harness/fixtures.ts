/** Typed test data for component tests: plausible DTOs with overrides. */
import type { BackupDto, JobDto, TargetDto, VolumeDto } from '../../src/shared/api/dto.ts';
import type { ProgressEvent } from '../../src/shared/progress.ts';
import type { ScheduleStatus } from '../../src/shared/schedule.ts';

export const MiB = 1024 * 1024;

export function volume(over: Partial<VolumeDto> = {}): VolumeDto {
  // Empty exactly when it weighs nothing, unless a test says otherwise (an empty file weighs nothing too).
  const size = over.size === undefined ? 48 * MiB : over.size;
  return { name: 'pgdata', driver: 'local', usedBy: [], lastBackup: null, ...over, size, empty: over.empty !== undefined ? over.empty : size === null ? null : size === 0 };
}

export function backup(over: Partial<BackupDto> = {}): BackupDto {
  return {
    name: 'pgdata',
    createdAt: '2025-01-02T03:04:05.000Z',
    encrypted: true,
    versions: 3,
    latest: null,
    volumes: ['pgdata'],
    storedBytes: 20 * MiB,
    passwordRemembered: false,
    damaged: null,
    ...over,
  };
}

export function target(over: Partial<TargetDto> = {}): TargetDto {
  return { name: 'nas', type: 'local', location: '/mnt/nas/dvom', isDefault: false, settings: { path: '/mnt/nas/dvom' }, ...over };
}

export function progress(over: Partial<ProgressEvent> = {}): ProgressEvent {
  return { phase: 'backing-up', bytesDone: 12 * MiB, bytesTotal: 40 * MiB, filesDone: 120, filesTotal: 300, bytesNew: 3 * MiB, rate: 8 * MiB, etaSeconds: 4, ...over };
}

let counter = 0;

/** A job id the contract accepts (job- and 12 hex digits). */
export function jobId(): string {
  return `job-${(++counter).toString(16).padStart(12, '0')}`;
}

export function job(over: Partial<JobDto> = {}): JobDto {
  return {
    id: jobId(),
    kind: 'backup',
    title: 'Back up pgdata to pgdata',
    state: 'running',
    startedAt: new Date(Date.now() - 30_000).toISOString(),
    finishedAt: null,
    progress: progress(),
    result: null,
    error: null,
    ...over,
  };
}

/** A daily schedule of pgdata, enabled, next run in three hours, never run yet. */
export function schedule(over: Partial<ScheduleStatus> = {}): ScheduleStatus {
  return {
    name: 'nightly',
    volumes: ['pgdata'],
    backup: 'pgdata',
    when: { kind: 'daily', at: '02:00' },
    retention: { daily: 7, weekly: 4 },
    stopContainers: [],
    enabled: true,
    catchUp: true,
    testRestoreEvery: 0,
    notifyOnSuccess: false,
    nextRun: new Date(Date.now() + 3 * 3600_000).toISOString(),
    lastRun: null,
    running: false,
    passwordMissing: false,
    ...over,
  };
}
