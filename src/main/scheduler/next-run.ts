import type { ScheduleWhen } from '../../shared/schedule.ts';
import { usageError } from '../engine/errors.ts';
import { cronDayMatches, parseCron, type CronSpec } from './cron.ts';

/**
 * When a schedule runs, in the local time of this process (its TZ).
 *
 * Intervals ("every N minutes/hours") count elapsed time from the previous
 * run time, so daylight-saving changes neither stretch nor shrink them.
 *
 * Daily, weekly and cron schedules name wall-clock times. Each wall-clock time
 * maps to the first instant at which the clock shows it or a later time:
 * - a time that does not exist (spring forward, e.g. 02:30 when clocks jump
 *   from 02:00 to 03:00) runs at the moment the clocks jump (03:00 new time);
 *   several such times collapse into that one run;
 * - a time that occurs twice (fall back) runs once, at its first occurrence.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "Wall time": the local calendar date and clock time of an instant, as
 * milliseconds of a zone-less calendar (Date.UTC of the local fields). Wall
 * arithmetic (next day, next hour) is plain addition there.
 */
function wallOf(d: Date): number {
  return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
}

/** The first instant whose wall time is `wall` or later (see the DST rules above). */
export function instantOfWall(wall: number): Date {
  const w = new Date(wall);
  // JavaScript maps a repeated time to its first occurrence and a missing one forward by the gap's length.
  let t = new Date(w.getUTCFullYear(), w.getUTCMonth(), w.getUTCDate(), w.getUTCHours(), w.getUTCMinutes(), w.getUTCSeconds());
  if (wallOf(t) === wall) return t;
  // In a gap: step back to the moment the clocks jumped (the first instant showing a later time).
  for (let i = 0; i < 24 * 60 && wallOf(new Date(t.getTime() - MINUTE)) >= wall; i++) t = new Date(t.getTime() - MINUTE);
  return t;
}

export function intervalMs(when: Extract<ScheduleWhen, { kind: 'interval' }>): number {
  return when.every * (when.unit === 'hours' ? HOUR : MINUTE);
}

function timeOfDay(at: string): number {
  const [h, m] = at.split(':').map(Number) as [number, number];
  return h * HOUR + m * MINUTE;
}

function nextCalendar(after: Date, at: string, days?: readonly number[]): Date {
  const offset = timeOfDay(at);
  // Any wall time before after's own maps to an instant not after it: start on after's local day.
  let day = Math.floor(wallOf(after) / DAY) * DAY;
  for (let i = 0; i < 9; i++, day += DAY) {
    if (days && !days.includes(new Date(day).getUTCDay())) continue;
    const t = instantOfWall(day + offset);
    if (t > after) return t;
  }
  throw usageError('a weekly schedule needs at least one day');
}

/** Searching further than this means the expression never matches (Feb 29 recurs within 8 years). */
const CRON_HORIZON = 12 * 366 * DAY;

function nextCron(spec: CronSpec, expression: string, after: Date): Date {
  let w = Math.floor(wallOf(after) / MINUTE) * MINUTE;
  const limit = w + CRON_HORIZON;
  while (w <= limit) {
    const d = new Date(w);
    const [y, mo, date, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
    if (!spec.months.has(mo + 1)) {
      w = Date.UTC(y, mo + 1, 1);
    } else if (!cronDayMatches(spec, date, d.getUTCDay())) {
      w = Date.UTC(y, mo, date + 1);
    } else if (!spec.hours.has(h)) {
      w = Date.UTC(y, mo, date, h + 1);
    } else if (!spec.minutes.has(d.getUTCMinutes())) {
      w += MINUTE;
    } else {
      const t = instantOfWall(w);
      if (t > after) return t;
      w += MINUTE;
    }
  }
  throw usageError(`cron expression '${expression}' has no run time in the next 12 years`);
}

/** Throws a usage error (naming the cron field) if `when` cannot be scheduled. */
export function validateWhen(when: ScheduleWhen): void {
  if (when.kind === 'cron') nextCron(parseCron(when.expression), when.expression, new Date());
  if (when.kind === 'weekly' && !when.days.length) throw usageError('a weekly schedule needs at least one day');
}

/** The first run time strictly after `after` (for intervals: `after` plus the interval). */
export function nextRunAfter(when: ScheduleWhen, after: Date): Date {
  switch (when.kind) {
    case 'interval':
      return new Date(after.getTime() + intervalMs(when));
    case 'daily':
      return nextCalendar(after, when.at);
    case 'weekly':
      return nextCalendar(after, when.at, when.days);
    case 'cron':
      return nextCron(parseCron(when.expression), when.expression, after);
  }
}

/** The next `n` run times after `from`. */
export function nextRuns(when: ScheduleWhen, from: Date, n: number): Date[] {
  const out: Date[] = [];
  let at = from;
  for (let i = 0; i < n; i++) out.push((at = nextRunAfter(when, at)));
  return out;
}

/**
 * The latest run time at or before `now`, given that `first` (≤ now) is one:
 * after a gap, all missed run times collapse into this one.
 */
export function latestRunTime(when: ScheduleWhen, first: Date, now: Date): Date {
  if (when.kind === 'interval') {
    const every = intervalMs(when);
    return new Date(first.getTime() + Math.floor((now.getTime() - first.getTime()) / every) * every);
  }
  let latest = first;
  // Skip most of a long gap at once: run times of the last two days are enough to search.
  const recent = nextRunAfter(when, new Date(now.getTime() - 2 * DAY));
  if (recent > latest && recent <= now) latest = recent;
  for (;;) {
    const next = nextRunAfter(when, latest);
    if (next > now) return latest;
    latest = next;
  }
}
