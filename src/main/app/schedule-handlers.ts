import type { SchedulePreview } from '../../shared/api/contract.ts';
import { nextRuns, validateWhen } from '../scheduler/next-run.ts';
import { retentionPreview } from '../services/retention-preview.ts';
import { hasRetention, retentionScope } from '../services/scheduled-backup.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

type ScheduleHandlers = Pick<
  ApiHandlers,
  'schedules.list' | 'schedules.save' | 'schedules.remove' | 'schedules.setEnabled' | 'schedules.pauseAll' | 'schedules.runNow' | 'schedules.preview'
>;

/** The schedules API: thin over the app's Scheduler (which the tray uses too). */
export function createScheduleHandlers(app: DvomApp): ScheduleHandlers {
  const scheduler = app.scheduler;
  return {
    'schedules.list': () => scheduler.status(),

    'schedules.save': (p) => scheduler.save(p.schedule, p.replaces, p.password),

    async 'schedules.remove'(p) {
      await scheduler.remove(p.name);
      return { removed: true };
    },

    'schedules.setEnabled': (p) => scheduler.setEnabled(p.name, p.enabled),

    async 'schedules.pauseAll'(p) {
      await scheduler.setPaused(p.paused);
      return { paused: p.paused };
    },

    async 'schedules.runNow'(p) {
      return { jobId: await scheduler.runNow(p.name) };
    },

    async 'schedules.preview'(p) {
      validateWhen(p.when);
      const preview: SchedulePreview = { nextRuns: nextRuns(p.when, new Date(), 5).map((d) => d.toISOString()) };
      if (!p.backup || !p.retention || !hasRetention(p.retention)) return preview;
      const retention = await retentionPreview(
        await app.store(p.target),
        app.secrets,
        p.backup,
        p.retention,
        // A schedule not named yet made no version: its rules see none (no stored origin has an empty name).
        retentionScope({ name: p.schedule ?? '', ownVersionsOnly: p.ownVersionsOnly }),
      );
      if (retention) preview.retention = retention;
      return preview;
    },
  };
}
