import type { Schedule } from '../../shared/schedule.ts';
import type { DvomConfig } from '../config/config-schema.ts';
import { latestRunTime, nextRunAfter } from './next-run.ts';
import type { RunStateDoc } from './run-state.ts';
import { nextDue, reconcile } from './schedule-entry.ts';

/** A run time (slot) that has come; late when it passed by more than the grace period. */
export interface DueRun {
  schedule: Schedule;
  slot: Date;
  late: boolean;
}

/** A run time passed by more than this counts as missed (host off or asleep), for schedules without catch-up. */
const GRACE_MS = 5 * 60_000;

/**
 * Brings the run state up to date with the config and picks what is due at
 * `now`: however many run times were missed, they collapse into the latest
 * one (recorded as the entry's lastSlot). Returns the due runs and when to
 * look again (at the latest `wakeBy`).
 */
export function collectDue(
  doc: RunStateDoc,
  config: DvomConfig,
  now: Date,
  wakeBy: number,
  log: (message: string) => void,
): { due: DueRun[]; wake: number } {
  const due: DueRun[] = [];
  let wake = wakeBy;
  const resumed = doc.paused && !config.schedulesPaused;
  doc.paused = config.schedulesPaused;
  for (const schedule of config.schedules) {
    const entry = reconcile(doc.schedules[schedule.name], schedule, now, resumed);
    doc.schedules[schedule.name] = entry;
    if (config.schedulesPaused || !schedule.enabled) continue;
    try {
      const next = nextDue(schedule, entry);
      if (next > now) {
        wake = Math.min(wake, next.getTime());
        continue;
      }
      const slot = latestRunTime(schedule.when, next, now);
      entry.lastSlot = slot.toISOString();
      due.push({ schedule, slot, late: now.getTime() - slot.getTime() > GRACE_MS });
      wake = Math.min(wake, nextRunAfter(schedule.when, slot).getTime());
    } catch (err) {
      log(`Schedule '${schedule.name}' cannot run: ${(err as Error).message}`);
    }
  }
  return { due, wake };
}
