import type Docker from 'dockerode';
import type { ProgressListener } from '../../shared/progress.ts';
import type { Retention, Schedule } from '../../shared/schedule.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';
import { DvomError } from '../engine/errors.ts';
import { forget } from '../engine/ops/forget.ts';
import { RETENTION_RULES } from '../engine/ops/retention.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { OpenedVersion, ReadOrigin, VersionSummary } from '../engine/repo/version-file.ts';
import { backupVolumes } from '../volumes/backup-volumes.ts';
import { testRestoreVersion, type TestRestoreOutcome } from './checks.ts';
import { backupStack, planStackBackup } from './stack-backup.ts';
import { newVersionWords } from './job-titles.ts';

/**
 * One scheduled backup, the same in the app and in `dvom schedule run`:
 * back up the volumes, apply the retention policy (forget + prune), and when
 * due, test-restore the new version and record that it was verified.
 */
export interface ScheduledBackupOptions {
  testRestore: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  log?: (message: string) => void;
  /** How long the schedule's stopped containers were down. */
  onContainersDown?: (ms: number) => void;
}

export interface ScheduledBackupResult {
  version: OpenedVersion;
  /** Null when the schedule has no retention rule above 0 (nothing is removed then). */
  retention: { kept: number; removed: number; bytesFreed: number } | null;
  testRestore: TestRestoreOutcome | null;
}

/** The versions a schedule's rules see: its own only, or (schedules saved before the option) every version. */
export function retentionScope(schedule: Pick<Schedule, 'name' | 'ownVersionsOnly'>): ReadOrigin | undefined {
  return schedule.ownVersionsOnly ? { kind: 'schedule', schedule: schedule.name } : undefined;
}

/** A policy removes something only with at least one rule above 0. */
export function hasRetention(policy: Retention): boolean {
  return RETENTION_RULES.some((rule) => (policy[rule] ?? 0) > 0);
}

function after(version: VersionSummary, step: string, err: unknown): DvomError {
  const message = `version ${version.id} was saved, but ${step} failed: ${(err as Error)?.message ?? String(err)}`;
  const code = err instanceof DvomError && (err.code === 'CANCELLED' || err.code === 'INTEGRITY') ? err.code : 'ERROR';
  return new DvomError(code, message, { cause: err });
}

export async function runScheduledBackup(
  repo: Repository,
  docker: Docker,
  schedule: Schedule,
  options: ScheduledBackupOptions,
): Promise<ScheduledBackupResult> {
  const common = {
    origin: { kind: 'schedule', schedule: schedule.name } as const,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.onContainersDown ? { onContainersDown: options.onContainersDown } : {}),
  };
  // A stack's volumes and containers are looked up at each run: what the stack is now is what is backed up.
  const version = schedule.stack
    ? await backupStack(repo, docker, await planStackBackup(docker, schedule.stack), common)
    : await backupVolumes(repo, docker, { volumes: schedule.volumes, stopContainers: schedule.stopContainers, ...common });
  const result: ScheduledBackupResult = { version, retention: null, testRestore: null };
  if (hasRetention(schedule.retention)) {
    try {
      const only = retentionScope(schedule);
      const { decision, held, pruned } = await forget(repo, schedule.retention, { prune: true, ...(only ? { only } : {}) });
      // Versions still held (append-only mode) stay until a later run removes them.
      result.retention = { kept: decision.keep.length + held.length, removed: decision.remove.length - held.length, bytesFreed: pruned?.bytesFreed ?? 0 };
    } catch (err) {
      throw after(version, 'applying the retention policy', err);
    }
  }
  if (options.testRestore) {
    try {
      result.testRestore = await testRestoreVersion(repo, version, docker, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (err) {
      throw after(version, 'the test restore', err);
    }
  }
  return result;
}

/** One line for the run history and the job's result. */
export function describeScheduledBackup(r: ScheduledBackupResult): string {
  const parts = [newVersionWords(r.version)];
  if (r.retention) {
    parts.push(
      r.retention.removed
        ? `retention kept ${r.retention.kept}, removed ${r.retention.removed} (${formatBytes(r.retention.bytesFreed)} freed)`
        : `retention kept all ${r.retention.kept}`,
    );
  }
  if (r.testRestore) {
    parts.push(`test restore passed (${r.testRestore.files} files in ${formatDuration(r.testRestore.durationMs / 1000)})`);
  }
  return parts.join('; ');
}
