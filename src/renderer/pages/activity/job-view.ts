/**
 * What the Activity page says about a job, as plain functions of its JobDto
 * (no React), so they are easy to test.
 */
import type { JobDto, JobKind, JobState } from '../../../shared/api/dto.ts';
import { formatBytes } from '../../../shared/format.ts';
import type { ProgressEvent, ProgressPhase } from '../../../shared/progress.ts';

const PHASES: Record<ProgressPhase, string> = {
  preparing: 'Preparing',
  checking: 'Checking',
  stopping: 'Stopping containers',
  starting: 'Starting containers',
  scanning: 'Scanning files',
  'backing-up': 'Backing up',
  restoring: 'Restoring',
  verifying: 'Verifying',
  finalizing: 'Finishing',
  pruning: 'Cleaning up',
  replacing: 'Replacing the contents',
  writing: 'Writing the files',
  done: 'Done',
};

const STATES: Record<JobState, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const KINDS: Record<JobKind, string> = {
  backup: 'Backup',
  restore: 'Restore',
  'test-restore': 'Test restore',
  verify: 'Check',
};

export const phaseLabel = (phase: ProgressPhase): string => PHASES[phase] ?? phase;

/** What a job is doing between the engine's phases, naming what it works on: "Stopping db…"; null for the engine's own phases. */
export function stepText(p: ProgressEvent, kind: JobKind): string | null {
  if (p.phase === 'stopping') return p.subject ? `Stopping ${p.subject}…` : 'Stopping containers…';
  if (p.phase === 'starting') return p.subject ? `Starting ${p.subject}…` : 'Starting containers…';
  if (p.phase === 'replacing') return p.subject ? `Replacing the contents of ${p.subject}…` : 'Replacing the contents…';
  if (p.phase === 'checking') {
    const what = kind === 'restore' ? 'the destination volume' : p.subject?.includes(', ') || !p.subject ? 'the volumes' : 'the volume';
    return p.subject ? `Checking ${what} ${p.subject}…` : `Checking ${what}…`;
  }
  return null;
}
export const stateLabel = (state: JobState): string => STATES[state] ?? state;
export const kindLabel = (kind: JobKind): string => KINDS[kind] ?? kind;

/** 0–100, or null when nothing tells how far the job is (an indeterminate bar). */
export function jobPercent(job: JobDto): number | null {
  if (job.state === 'succeeded') return 100;
  const p = job.progress;
  if (!p) return job.state === 'running' ? null : 0;
  if (p.phase === 'done') return 100;
  let fraction: number | null = null;
  if (p.bytesTotal !== undefined && p.bytesTotal > 0) fraction = p.bytesDone / p.bytesTotal;
  else if (p.filesTotal !== undefined && p.filesTotal > 0) fraction = p.filesDone / p.filesTotal;
  if (fraction === null) return job.state === 'running' ? null : 0;
  const percent = Math.min(100, Math.max(0, fraction * 100));
  // A running job is not finished even when every byte was read: it still writes and commits.
  return job.state === 'running' ? Math.min(99, Math.floor(percent)) : Math.round(percent);
}

/** "1.5 MiB of 30.0 MiB", or just what was done when the total is unknown. */
export function bytesText(p: ProgressEvent): string {
  if (p.bytesTotal !== undefined) return `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`;
  return formatBytes(p.bytesDone);
}

export function filesText(p: ProgressEvent): string {
  const n = (x: number) => x.toLocaleString('en-US');
  if (p.filesTotal !== undefined) return `${n(p.filesDone)} of ${n(p.filesTotal)}`;
  return n(p.filesDone);
}

export function rateText(bytesPerSecond: number | undefined): string | null {
  if (bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) return null;
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** A calm, rounded duration: "8 s", "2 min 5 s", "1 h 3 min". */
export function durationText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const rest = s % 60;
    return rest && s < 600 ? `${Math.floor(s / 60)} min ${rest} s` : `${Math.round(s / 60)} min`;
  }
  const minutes = Math.round((s % 3600) / 60);
  return minutes ? `${Math.floor(s / 3600)} h ${minutes} min` : `${Math.floor(s / 3600)} h`;
}

export function etaText(seconds: number | undefined): string | null {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 5) return 'a few seconds';
  return `about ${durationText(seconds)}`;
}

/** How much of a backup's data was already stored (deduplicated), and how much was new. */
export function dedupText(job: JobDto): string | null {
  const p = job.progress;
  if (job.kind !== 'backup' || !p || p.bytesNew === undefined || p.bytesDone <= 0) return null;
  const fresh = Math.min(p.bytesNew, p.bytesDone);
  const saved = Math.round(((p.bytesDone - fresh) / p.bytesDone) * 100);
  return `${saved}% · ${formatBytes(fresh)} new`;
}

/** A job that stopped early says so ("Cancelled"), never the phase it was in as if still going (short: the fact column is narrow). */
function phaseFact(job: JobDto): string {
  if (job.state === 'cancelled' || job.state === 'failed') return stateLabel(job.state);
  const p = job.progress;
  return p ? (stepText(p, job.kind) ?? phaseLabel(p.phase)) : job.state === 'running' ? 'Starting' : '—';
}

export interface Fact {
  label: string;
  value: string;
}

/** The numbers under a job's bar; the labels are fixed per job so nothing jumps while it runs. */
export function jobFacts(job: JobDto): Fact[] {
  const p = job.progress;
  const facts: Fact[] = [];
  const running = job.state === 'running';
  facts.push({ label: 'Phase', value: phaseFact(job) });
  facts.push({ label: 'Data', value: p ? bytesText(p) : '—' });
  facts.push({ label: 'Files', value: p ? filesText(p) : '—' });
  if (running) {
    facts.push({ label: 'Speed', value: rateText(p?.rate) ?? '—' });
    facts.push({ label: 'Time left', value: etaText(p?.etaSeconds) ?? '—' });
  } else {
    facts.push({ label: 'Took', value: job.finishedAt ? durationText((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000) : '—' });
  }
  if (job.kind === 'backup') facts.push({ label: 'Deduplicated', value: dedupText(job) ?? '—' });
  if (!running && job.containersDownMs !== undefined) {
    facts.push({ label: 'Containers down', value: job.containersDownMs < 1000 ? 'under 1 s' : durationText(job.containersDownMs / 1000) });
  }
  return facts;
}

/** What a screen reader hears for the bar: "45 percent, 12 MiB of 27 MiB". */
export function progressValueText(job: JobDto): string {
  const percent = jobPercent(job);
  const parts = [percent === null ? (job.state === 'running' ? 'In progress' : stateLabel(job.state)) : `${percent} percent`];
  if (job.progress && job.state === 'running') parts.push(bytesText(job.progress));
  return parts.join(', ');
}

/** Local time of day, with the date when it is not today. */
export function whenText(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  // Always with its day: a time alone reads as today even on a list kept across days.
  if (d.toDateString() === now.toDateString()) return `today, ${time}`;
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (d.toDateString() === yesterday.toDateString()) return `yesterday, ${time}`;
  return `${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: d.getFullYear() === now.getFullYear() ? undefined : 'numeric' })}, ${time}`;
}
