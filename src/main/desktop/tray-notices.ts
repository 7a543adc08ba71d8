import type { Schedule, ScheduleRun } from '../../shared/schedule.ts';
import { MAX_NAME_LENGTH, truncate } from './tray-menu.ts';

/**
 * Which finished scheduled runs (the scheduler's onRunFinished) become desktop
 * notifications, and their words: failures always, successes only for
 * schedules with notifyOnSuccess, skipped runs (overlap, missed, cancelled)
 * never. No Electron here (notifications.ts shows them).
 */

export interface RunNotice {
  title: string;
  body: string;
  /** A failure: shown until dismissed where the desktop allows. */
  failed: boolean;
  schedule: string;
}

/** Longest body text of a notification. */
export const MAX_NOTICE_BODY = 240;

export function runNotice(schedule: Pick<Schedule, 'name' | 'notifyOnSuccess'>, run: ScheduleRun): RunNotice | null {
  const name = truncate(schedule.name, MAX_NAME_LENGTH);
  if (run.outcome === 'failed') {
    return {
      title: `Scheduled backup failed: ${name}`,
      body: truncate(run.message || 'The backup did not complete.', MAX_NOTICE_BODY),
      failed: true,
      schedule: schedule.name,
    };
  }
  if (run.outcome === 'succeeded' && schedule.notifyOnSuccess) {
    return {
      title: `Scheduled backup finished: ${name}`,
      body: truncate(run.message || 'The backup completed.', MAX_NOTICE_BODY),
      failed: false,
      schedule: schedule.name,
    };
  }
  return null;
}

/** The part of the Scheduler this needs. */
export interface RunFinishedSource {
  onRunFinished(listener: (schedule: Schedule, run: ScheduleRun) => void): () => void;
}

/** Calls `notify` for every run worth a notification; returns the unsubscribe function. */
export function watchScheduledRuns(scheduler: RunFinishedSource, notify: (notice: RunNotice) => void): () => void {
  return scheduler.onRunFinished((schedule, run) => {
    const notice = runNotice(schedule, run);
    if (!notice) return;
    try {
      notify(notice);
    } catch {
      // A desktop without working notifications must not disturb the scheduler.
    }
  });
}
