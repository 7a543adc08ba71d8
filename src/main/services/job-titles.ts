import { formatBytes, formatDate } from '../../shared/format.ts';
import type { Schedule } from '../../shared/schedule.ts';

/**
 * Job titles, as the activity list and notifications show them: each names
 * its backup, its storage target and the volumes it reads or writes, so two
 * jobs on one backup (or on two targets) can be told apart. `target`
 * undefined: the default store, when it is not a named target.
 */

const on = (target: string | undefined) => (target ? ` on ${target}` : ' on the default store');
const list = (volumes: readonly string[]) => volumes.join(', ');

export function backupTitle(volumes: readonly string[], backup: string, target?: string): string {
  return `Back up ${list(volumes)} to ${backup}${on(target)}`;
}

/** A scheduled run: which run (its run time, or "run now" with the time it was started) tells two runs apart. */
export function scheduledBackupTitle(schedule: Schedule, run: { slot: Date } | { startedAt: Date }): string {
  const which = 'slot' in run ? `run of ${formatDate(run.slot.toISOString())}` : `run now, ${formatDate(run.startedAt.toISOString())}`;
  const what = schedule.stack ? `stack ${schedule.stack}` : list(schedule.volumes);
  return `Scheduled backup ${schedule.name} (${which}): ${what} to ${schedule.backup}${on(schedule.target)}`;
}

export function stackBackupTitle(stack: string, backup: string, perVolume: boolean, target?: string): string {
  return `Back up stack ${stack} to ${backup}${perVolume ? '-<volume>' : ''}${on(target)}`;
}

export function stackRestoreTitle(backup: string, version: { createdAt: string }, stack: string, target?: string): string {
  return `Restore ${backup}${on(target)}, ${versionWords(version)}, into stack ${stack}`;
}

export function restoreTitle(backup: string, version: { createdAt: string }, volumes: readonly string[], destination: string, target?: string): string {
  const from = volumes.length ? ` (${list(volumes)})` : '';
  return `Restore ${backup}${on(target)}, ${versionWords(version)}${from}, into ${destination}`;
}

export function testRestoreTitle(backup: string, version: { createdAt: string }, volumes: readonly string[], target?: string): string {
  const of = volumes.length ? ` (${list(volumes)})` : '';
  return `Test restore of ${backup}${on(target)}, ${versionWords(version)}${of}`;
}

export function verifyTitle(backup: string, target?: string): string {
  return `Verify ${backup}${on(target)}`;
}

/** A version as a job names it: by its date (ids are for copying, on the Backups page and in `dvom versions`). */
export function versionWords(version: { createdAt: string }): string {
  return `version of ${formatDate(version.createdAt)}`;
}

/** What a backup job made, in words: its date, size, and the new data it added (the rest was already stored). */
export function newVersionWords(version: { createdAt: string; stats: { files: number; bytes: number; addedBytes: number; addedStoredBytes: number } }): string {
  const s = version.stats;
  const already = s.bytes > 0 ? Math.round(Math.max(0, 1 - s.addedBytes / s.bytes) * 100) : 0;
  return (
    `Version of ${formatDate(version.createdAt)}: ${s.files.toLocaleString('en')} files, ${formatBytes(s.bytes)}; ` +
    `${formatBytes(s.addedStoredBytes)} of new data stored${s.bytes > 0 ? ` (${already}% was already in the backup)` : ''}`
  );
}
