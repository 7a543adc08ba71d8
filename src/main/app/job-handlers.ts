import type { ValidParamsOf } from '../../shared/api/contract.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';
import { requireVolume } from '../docker/volumes.ts';
import { DvomError } from '../engine/errors.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import type { Repository } from '../engine/repo/repository.ts';
import { testRestoreNeedsDocker, testRestoreVersion, verifyBackup } from '../services/checks.ts';
import { createOrOpenBackup } from '../services/create-or-open.ts';
import { firstBackupOrUndo } from '../services/new-backup.ts';
import { backupTitle, newVersionWords, restoreTitle, testRestoreTitle, verifyTitle, versionWords } from '../services/job-titles.ts';
import { emitStoreChanged } from '../services/event-hub.ts';
import { openWithPassword, passwordFinder } from '../services/open-backup.ts';
import { forgetPassword, rememberPassword, rememberedPassword } from '../services/passwords.ts';
import { backupVolumes } from '../volumes/backup-volumes.ts';
import { restoreVolume } from '../volumes/restore-volume.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

type JobHandlers = Pick<ApiHandlers, 'jobs.list' | 'jobs.cancel' | 'jobs.startBackup' | 'jobs.startRestore' | 'jobs.startTestRestore' | 'jobs.startVerify'>;

/** Long work as jobs: checks and opening happen before the job starts, so mistakes are answered at once; progress comes as events. */
export function createJobHandlers(app: DvomApp): JobHandlers {
  /** Opens or creates the backup a backup job writes to. */
  async function repoForBackup(p: ValidParamsOf<'jobs.startBackup'>): Promise<{ repo: Repository; created: boolean; store: StorageBackend }> {
    const store = await app.store(p.target);
    const { repo, created } = await createOrOpenBackup(store, p.backup, {
      encrypt: p.encrypt,
      finder: passwordFinder(p.backup, p.password, () => rememberedPassword(app.secrets, store, p.backup)),
      async newCredential() {
        if (!p.password) throw new DvomError('PASSWORD_REQUIRED', `choose a password for the new encrypted backup '${p.backup}'`);
        return { credential: { kind: 'password', password: p.password }, source: 'given' };
      },
      warn: app.log,
    });
    return { repo, created, store };
  }

  return {
    async 'jobs.list'() {
      await app.jobs.ready;
      return app.jobs.list();
    },

    async 'jobs.cancel'(p) {
      return { cancelled: app.jobs.cancel(p.jobId) };
    },

    async 'jobs.startBackup'(p) {
      const docker = await app.docker();
      // Check the volumes first: a typo must not leave an empty backup locked to this password.
      for (const volume of p.volumes) await requireVolume(docker, volume);
      const { repo, created, store } = await repoForBackup(p);
      if (p.rememberPassword && p.password) await rememberPassword(app.secrets, store, p.backup, p.password);
      const title = backupTitle(p.volumes, p.backup, p.target);
      return {
        jobId: app.jobs.start(
          'backup',
          title,
          async ({ signal, onProgress, containersDown }) => {
            try {
              const v = await firstBackupOrUndo(
                store,
                repo,
                created,
                () => backupVolumes(repo, docker, {
                  volumes: p.volumes,
                  stopContainers: p.stopContainers,
                  signal,
                  onProgress,
                  log: app.log,
                  onContainersDown: containersDown,
                  origin: { kind: 'manual' },
                }),
                // Its remembered password goes with it, as when a backup is deleted.
                { warn: app.log, onDiscarded: () => forgetPassword(app.secrets, store, p.backup) },
              );
              return newVersionWords(v);
            } finally {
              emitStoreChanged(app.events);
            }
          },
          { target: p.target, backup: p.backup },
        ),
      };
    },

    async 'jobs.startRestore'(p) {
      const [docker, store] = await Promise.all([app.docker(), app.store(p.target)]);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password);
      const version = await repo.version(p.version);
      return {
        jobId: app.jobs.start('restore', restoreTitle(p.backup, version, p.sourceVolume ? [p.sourceVolume] : version.volumes, p.destinationVolume, p.target), async ({ signal, onProgress, containersDown }) => {
          try {
            const r = await restoreVolume(repo, docker, version, {
              targetVolume: p.destinationVolume,
              force: p.force,
              stopContainers: p.stopContainers,
              signal,
              onProgress,
              log: app.log,
              onContainersDown: containersDown,
              ...(p.sourceVolume ? { sourceVolume: p.sourceVolume } : {}),
              ...(p.paths?.length ? { paths: p.paths } : {}),
            });
            const n = p.paths?.length ?? 0;
            const what = n ? `${n === 1 ? 'the selected file or folder' : `${n} selected files and folders`} of the ${versionWords(version)}` : `the ${versionWords(version)}`;
            return `Restored ${what} into ${r.created ? 'new ' : ''}volume '${r.volume}': ${r.files.toLocaleString('en')} files, ${formatBytes(r.bytes)}, every file checked against its checksum`;
          } finally {
            emitStoreChanged(app.events);
          }
        }, { target: p.target, backup: p.backup }),
      };
    },

    async 'jobs.startTestRestore'(p) {
      const store = await app.store(p.target);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password);
      const version = await repo.version(p.version);
      const docker = testRestoreNeedsDocker(version) ? await app.docker() : undefined;
      return {
        jobId: app.jobs.start(
          'test-restore',
          testRestoreTitle(p.backup, version, version.volumes, p.target),
          async ({ signal, onProgress }) => {
            const r = await testRestoreVersion(repo, version, docker, { signal, onProgress });
            app.events.emit('backups.changed', {});
            return `Passed: ${r.files} files, ${formatBytes(r.bytes)} restored and verified in ${formatDuration(r.durationMs / 1000)}`;
          },
          { target: p.target, backup: p.backup },
        ),
      };
    },

    async 'jobs.startVerify'(p) {
      const repo = await openWithPassword(await app.store(p.target), app.secrets, p.backup, p.password);
      return {
        jobId: app.jobs.start('verify', verifyTitle(p.backup, p.target), async ({ signal, onProgress }) => {
          const report = await verifyBackup(repo, { readData: p.readData, signal, onProgress });
          if (report.errors.length) {
            throw new DvomError('INTEGRITY', `backup '${p.backup}' is damaged: ${report.errors.slice(0, 5).join('; ')}${report.errors.length > 5 ? ` (+${report.errors.length - 5} more)` : ''}`);
          }
          if (p.readData) app.events.emit('backups.changed', {});
          const read = p.readData ? '; every stored byte was read back and matched' : '';
          return `Intact: ${report.versions === 1 ? 'the 1 version' : `all ${report.versions} versions`} checked${read}`;
        }, { target: p.target, backup: p.backup }),
      };
    },
  };
}
