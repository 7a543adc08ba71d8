/** How schedules read on screen: when they run, what they keep, run times in local time. */
import type { Retention, ScheduleRun, ScheduleWhen } from '../../../shared/schedule.ts';
import { plural, relativeTime } from '../../../shared/format.ts';

/** Monday first, as calendars in most places start. Values are 0 = Sunday … 6 = Saturday. */
export const WEEK: readonly { day: number; short: string; long: string }[] = [
  { day: 1, short: 'Mon', long: 'Monday' },
  { day: 2, short: 'Tue', long: 'Tuesday' },
  { day: 3, short: 'Wed', long: 'Wednesday' },
  { day: 4, short: 'Thu', long: 'Thursday' },
  { day: 5, short: 'Fri', long: 'Friday' },
  { day: 6, short: 'Sat', long: 'Saturday' },
  { day: 0, short: 'Sun', long: 'Sunday' },
];

function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "Every 2 hours", "Every day at 02:00", "Weekdays at 06:30", "Cron 0 3 * * 1". */
export function describeWhen(when: ScheduleWhen): string {
  switch (when.kind) {
    case 'interval':
      return when.every === 1 ? `Every ${when.unit.slice(0, -1)}` : `Every ${plural(when.every, when.unit.slice(0, -1))}`;
    case 'daily':
      return `Every day at ${when.at}`;
    case 'weekly': {
      const days = new Set(when.days);
      const key = [...days].sort().join('');
      if (days.size === 7) return `Every day at ${when.at}`;
      if (key === '12345') return `Weekdays at ${when.at}`;
      if (key === '06') return `Weekends at ${when.at}`;
      const names = WEEK.filter((w) => days.has(w.day)).map((w) => (days.size === 1 ? `${w.long}s` : w.short));
      return `${listText(names)} at ${when.at}`;
    }
    case 'cron':
      return `Cron ${when.expression}`;
  }
}

/** What a schedule backs up, for its card: "Stack shop", or its volumes. */
export function describeWhat(s: { volumes: readonly string[]; stack?: string | undefined }): string {
  return s.stack ? `Stack ${s.stack}` : s.volumes.join(', ');
}

const RULES: readonly [keyof Retention, string][] = [
  ['hourly', 'hourly'],
  ['daily', 'daily'],
  ['weekly', 'weekly'],
  ['monthly', 'monthly'],
  ['yearly', 'yearly'],
];

/** "The last 2", "7 daily, 4 weekly and 6 monthly", "Every version". */
export function describeRetention(r: Retention): string {
  const parts: string[] = [];
  // A rule of 0 keeps nothing by itself; with no rule above 0 nothing is removed.
  if (r.last) parts.push(`the last ${r.last}`);
  for (const [key, word] of RULES) if (r[key]) parts.push(`${r[key]} ${word}`);
  if (!parts.length) return 'Every version';
  const text = listText(parts);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const RUN_TIME = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const VERSION_TIME = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** A run time in local time, e.g. "Tue, 4 Feb 2025, 02:00". */
export function runTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : RUN_TIME.format(d);
}

/** A version's time in local time, without the weekday. */
export function versionTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : VERSION_TIME.format(d);
}

/** "in 3 hours", "5 minutes ago", or the local date when further away. */
export function whenText(iso: string, now = Date.now()): string {
  return relativeTime(iso, now) ?? runTime(iso);
}

export const OUTCOME_LABEL: Record<ScheduleRun['outcome'], string> = { succeeded: 'Succeeded', failed: 'Failed', skipped: 'Skipped' };
