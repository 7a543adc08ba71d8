import { formatDate } from '../../../shared/format.ts';
import { relativeTime } from '../../format/relative-time.ts';

/** "3 minutes ago", or the local date when it is over a week away. */
export function when(iso: string): string {
  return relativeTime(iso) ?? formatDate(iso);
}

/** "1 file", "3 files". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** Percent done of a job's progress, 0-100, or null when the total is unknown. */
export function percentOf(progress: { bytesDone: number; bytesTotal?: number; phase: string } | null): number | null {
  if (!progress) return null;
  if (progress.phase === 'done') return 100;
  if (!progress.bytesTotal) return null;
  return Math.max(0, Math.min(100, Math.floor((progress.bytesDone / progress.bytesTotal) * 100)));
}
