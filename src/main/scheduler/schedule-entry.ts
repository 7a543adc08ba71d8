import type { Schedule, ScheduleRun, ScheduleWhen } from '../../shared/schedule.ts';
import { nextRunAfter } from './next-run.ts';
import type { RunStateDoc, ScheduleEntry } from './run-state.ts';

/**
 * A schedule's bookkeeping against its definition: from when run times are
 * counted, and when it is next due. Shared by the scheduler and the CLI.
 */

/** `when` as a stable string (key order does not matter). */
export function whenKey(when: ScheduleWhen): string {
  return JSON.stringify(Object.fromEntries(Object.entries(when).sort(([a], [b]) => a.localeCompare(b))));
}

/**
 * The entry brought up to date with the schedule: a new schedule, a changed
 * `when`, enabling it, or resuming all schedules (`resumed`) count run times
 * from `now`, so none of those triggers a catch-up run for time before it.
 */
export function reconcile(entry: ScheduleEntry | undefined, schedule: Schedule, now: Date, resumed = false): ScheduleEntry {
  const key = whenKey(schedule.when);
  if (!entry) return { since: now.toISOString(), whenKey: key, enabled: schedule.enabled, runs: 0 };
  const restart = entry.whenKey !== key || (schedule.enabled && !entry.enabled) || resumed;
  return { ...entry, whenKey: key, enabled: schedule.enabled, ...(restart ? { since: now.toISOString() } : {}) };
}

/** The first run time not handled yet (it may have passed). */
export function nextDue(schedule: Schedule, entry: ScheduleEntry): Date {
  const since = Date.parse(entry.since);
  const last = entry.lastSlot ? Date.parse(entry.lastSlot) : -Infinity;
  return nextRunAfter(schedule.when, new Date(Math.max(since, last)));
}

/** The next run time as shown to users: null when disabled, paused or not computable. */
export function shownNextRun(schedule: Schedule, doc: RunStateDoc, paused: boolean, now: Date): string | null {
  if (!schedule.enabled || paused) return null;
  try {
    return nextDue(schedule, reconcile(doc.schedules[schedule.name], schedule, now, doc.paused)).toISOString();
  } catch {
    return null;
  }
}

/** Records a finished (or skipped) run in the state document. */
export function recordRun(doc: RunStateDoc, schedule: Schedule, run: ScheduleRun, now: Date): void {
  const entry = reconcile(doc.schedules[schedule.name], schedule, now);
  entry.lastRun = run;
  if (run.outcome === 'succeeded') {
    entry.runs++;
    entry.lastSuccess = run.at;
  }
  if (run.outcome === 'failed') entry.lastFailure = run.at;
  doc.schedules[schedule.name] = entry;
}

/** Whether the next successful run is one that includes a test restore. */
export function testRestoreDue(schedule: Schedule, entry: ScheduleEntry | undefined): boolean {
  return schedule.testRestoreEvery > 0 && ((entry?.runs ?? 0) + 1) % schedule.testRestoreEvery === 0;
}

/** The last run that was not skipped failed. */
export function isFailing(entry: ScheduleEntry | undefined): boolean {
  return !!entry?.lastFailure && (!entry.lastSuccess || entry.lastFailure >= entry.lastSuccess);
}
