import type { ProgressListener } from '../../shared/progress.ts';
import type { Schedule } from '../../shared/schedule.ts';
import { DvomError, isDvomError } from '../engine/errors.ts';
import { Repository } from '../engine/repo/repository.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import type { DvomApp } from '../app/dvom-app.ts';
import { describeScheduledBackup, runScheduledBackup } from './run-backup.ts';

/** What a run gets from the scheduler. */
export interface RunContext {
  store: StorageBackend;
  /** The keychain's password of an encrypted backup; undefined for a plain one. */
  password: string | undefined;
  /** This run includes a test restore (every testRestoreEvery-th successful run). */
  testRestore: boolean;
  signal: AbortSignal;
  onProgress: ProgressListener;
  log: (message: string) => void;
}

/** Does a schedule's work; resolves to the one-line summary recorded as the run's message. */
export type ScheduleRunner = (schedule: Schedule, ctx: RunContext) => Promise<string>;

/** The real work, in the app's host process: backup, retention, optional test restore. */
export function appRunner(app: Pick<DvomApp, 'docker' | 'events'>): ScheduleRunner {
  return async (schedule, ctx) => {
    let repo: Repository;
    try {
      repo = await Repository.open(ctx.store, schedule.backup, ctx.password ? { kind: 'password', password: ctx.password } : undefined);
    } catch (err) {
      if (isDvomError(err, 'WRONG_PASSWORD') && ctx.password) {
        throw new DvomError('WRONG_PASSWORD', `the password remembered for backup '${schedule.backup}' is wrong (was it changed elsewhere?); remember the current one`);
      }
      throw err;
    }
    const docker = await app.docker();
    try {
      const result = await runScheduledBackup(repo, docker, schedule, {
        testRestore: ctx.testRestore,
        signal: ctx.signal,
        onProgress: ctx.onProgress,
        log: ctx.log,
      });
      return describeScheduledBackup(result);
    } finally {
      app.events.emit('backups.changed', {});
      app.events.emit('volumes.changed', {});
    }
  };
}
