import type Docker from 'dockerode';
import type { ProgressListener } from '../../shared/progress.ts';
import type { Schedule } from '../../shared/schedule.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { emitStoreChanged, type EventHub } from '../services/event-hub.ts';
import { describeScheduledBackup, runScheduledBackup } from '../services/scheduled-backup.ts';
import { firstBackupOrUndo } from '../services/new-backup.ts';
import { openUnattended } from '../services/unattended.ts';

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
  /** Records how long stopped containers were down (shown with the finished job). */
  containersDown: (ms: number) => void;
}

/** Does a schedule's work; resolves to the one-line summary recorded as the run's message. */
export type ScheduleRunner = (schedule: Schedule, ctx: RunContext) => Promise<string>;

/** The real work, in the app's host process: backup, retention, optional test restore. */
export function appRunner(host: { docker(): Promise<Docker>; events: EventHub }): ScheduleRunner {
  return async (schedule, ctx) => {
    const { repo, created } = await openUnattended(ctx, schedule.backup, schedule.encrypt, ctx.log);
    try {
      const docker = await host.docker();
      // A first run that fails or is cancelled before its version removes the backup it created (not the remembered password: the schedule still needs it).
      const result = await firstBackupOrUndo(
        ctx.store,
        repo,
        created,
        () =>
          runScheduledBackup(repo, docker, schedule, {
            testRestore: ctx.testRestore,
            signal: ctx.signal,
            onProgress: ctx.onProgress,
            log: ctx.log,
            onContainersDown: ctx.containersDown,
          }),
        { warn: ctx.log },
      );
      return describeScheduledBackup(result);
    } finally {
      emitStoreChanged(host.events);
    }
  };
}
