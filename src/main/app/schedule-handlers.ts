import type { SchedulePreview } from '../../shared/api/contract.ts';
import { isDvomError } from '../engine/errors.ts';
import { versionsOf } from '../engine/ops/catalog.ts';
import { applyRetention } from '../engine/ops/retention.ts';
import { nextRuns, validateWhen } from '../scheduler/next-run.ts';
import { hasRetention } from '../services/scheduled-backup.ts';
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
      // Version summaries are plaintext: no password needed. A backup that does not exist yet has nothing to remove.
      const versions = await versionsOf(await app.store(p.target), p.backup).catch((err: unknown) => {
        if (isDvomError(err, 'NOT_FOUND')) return [];
        throw err;
      });
      if (!versions.length) return preview;
      const decision = applyRetention(versions, p.retention);
      preview.retention = {
        keep: decision.keep.map(({ version, reasons }) => ({ id: version.id, createdAt: version.createdAt, reasons })),
        remove: decision.remove.map((v) => ({ id: v.id, createdAt: v.createdAt })),
      };
      return preview;
    },
  };
}
