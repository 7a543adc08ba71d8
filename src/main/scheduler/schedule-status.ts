import type { Schedule, ScheduleStatus } from '../../shared/schedule.ts';
import type { DvomConfig } from '../config/config-schema.ts';
import { passwordMissing } from '../services/unattended.ts';
import type { RunStateDoc } from './run-state.ts';
import type { SchedulerHost } from './scheduler-host.ts';
import { shownNextRun } from './schedule-entry.ts';

/** A schedule as the API and the tray show it: its next run, last run, whether it runs now, and a missing password. */
export async function scheduleStatus(
  host: Pick<SchedulerHost, 'store' | 'secrets'>,
  schedule: Schedule,
  state: { config: DvomConfig; doc: RunStateDoc; now: Date; running: boolean },
): Promise<ScheduleStatus> {
  const missing = await host.store(schedule.target).then(
    (store) => passwordMissing(store, host.secrets, schedule.backup, schedule.encrypt),
    () => false,
  );
  return {
    ...schedule,
    nextRun: shownNextRun(schedule, state.doc, state.config.schedulesPaused, state.now),
    lastRun: state.doc.schedules[schedule.name]?.lastRun ?? null,
    running: state.running,
    passwordMissing: missing,
  };
}
