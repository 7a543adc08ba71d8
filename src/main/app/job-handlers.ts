import type { ValidParamsOf } from '../../shared/api/contract.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';
import { requireVolume } from '../docker/volumes.ts';
import { DvomError } from '../engine/errors.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import type { Repository } from '../engine/repo/repository.ts';
import { testRestoreNeedsDocker, testRestoreVersion, verifyBackup } from '../services/checks.ts';
import { createOrOpenBackup } from '../services/create-or-open.ts';
import { firstBackupOrUndo } from '../services/new-backup.ts';
import { backupTitle, newVersionWords, restoreTitle, stackBackupTitle, stackRestoreTitle, testRestoreTitle, verifyTitle, versionWords } from '../services/job-titles.ts';
import { backupStack, backupStackPerVolume, perVolumeBackupName, planStackBackup } from '../services/stack-backup.ts';
import { restoreStack } from '../services/stack-restore.ts';
import { checkBackupName } from '../engine/repo/layout.ts';
import type { OpenedVersion } from '../engine/repo/version-file.ts';
import { emitStoreChanged } from '../services/event-hub.ts';
import { openWithPassword, passwordFinder } from '../services/open-backup.ts';
import { forgetPassword, rememberPassword, rememberedPassword } from '../services/passwords.ts';
import { backupVolumes } from '../volumes/backup-volumes.ts';
import { restoreVolume } from '../volumes/restore-volume.ts';
import { selectPaths, sourceSelector } from '../volumes/volume-paths.ts';
import { restoreToFolder } from '../engine/ops/restore.ts';
import { mergeSummary, restoreDestination } from '../services/restore-destination.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

type JobHandlers = Pick<
  ApiHandlers,
  'jobs.list' | 'jobs.cancel' | 'jobs.startBackup' | 'jobs.startStackBackup' | 'jobs.startStackRestore' | 'jobs.startRestore' | 'jobs.startTestRestore' | 'jobs.startVerify'
>;

type BackupRequest = Pick<ValidParamsOf<'jobs.startBackup'>, 'backup' | 'encrypt' | 'password' | 'target'>;

/** Long work as jobs: checks and opening happen before the job starts, so mistakes are answered at once; progress comes as events. */
export function createJobHandlers(app: DvomApp): JobHandlers {
  /** Opens or creates the backup a backup job writes to. */
  async function repoForBackup(p: BackupRequest): Promise<{ repo: Repository; created: boolean; store: StorageBackend }> {
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
      const target = await app.targetName(p.target);
      const title = backupTitle(p.volumes, p.backup, target);
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
          { target, backup: p.backup },
        ),
      };
    },

    async 'jobs.startStackBackup'(p) {
      const [docker, target] = await Promise.all([app.docker(), app.targetName(p.target)]);
      const plan = await planStackBackup(docker, p.stack);
      // Every backup is opened (or created) before the job starts, so a wrong password is answered at once.
      const names = p.perVolume ? plan.volumes.map((v) => perVolumeBackupName(p.backup, v)) : [p.backup];
      const opened = new Map<string, { repo: Repository; created: boolean; store: StorageBackend }>();
      for (const backup of names) {
        checkBackupName(backup);
        opened.set(backup, await repoForBackup({ ...p, backup }));
        if (p.rememberPassword && p.password) await rememberPassword(app.secrets, opened.get(backup)!.store, backup, p.password);
      }
      const undoable = (backup: string, run: (repo: Repository) => Promise<OpenedVersion>) => {
        const { repo, created, store } = opened.get(backup)!;
        return firstBackupOrUndo(store, repo, created, () => run(repo), { warn: app.log, onDiscarded: () => forgetPassword(app.secrets, store, backup) });
      };
      return {
        jobId: app.jobs.start(
          'backup',
          stackBackupTitle(p.stack, p.backup, p.perVolume, target),
          async ({ signal, onProgress, containersDown }) => {
            const options = { signal, onProgress, log: app.log, onContainersDown: containersDown, origin: { kind: 'manual' } as const };
            try {
              if (!p.perVolume) {
                const v = await undoable(p.backup, (repo) => backupStack(repo, docker, plan, options));
                return `Stack ${p.stack}, ${plan.volumes.length} volumes: ${newVersionWords(v)}`;
              }
              const versions = await backupStackPerVolume(docker, plan, options, (volume, run) => undoable(perVolumeBackupName(p.backup, volume), run));
              const stored = versions.reduce((n, v) => n + v.stats.addedStoredBytes, 0);
              return `Stack ${p.stack}: ${versions.length} backups (${names.join(', ')}); ${formatBytes(stored)} of new data stored`;
            } finally {
              emitStoreChanged(app.events);
            }
          },
          { target, backup: p.backup },
        ),
      };
    },

    async 'jobs.startStackRestore'(p) {
      const [docker, store, target] = await Promise.all([app.docker(), app.store(p.target), app.targetName(p.target)]);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password, { threads: true });
      const version = await repo.version(p.version);
      return {
        jobId: app.jobs.start('restore', stackRestoreTitle(p.backup, version, p.stack, target), async ({ signal, onProgress, containersDown }) => {
          try {
            const r = await restoreStack(repo, docker, version, p.stack, { force: p.force, signal, onProgress, log: app.log, onContainersDown: containersDown });
            return `Restored the ${versionWords(version)} into stack ${p.stack} (${r.volumes.map((v) => v.volume).join(', ')}): ${r.files.toLocaleString('en')} files, ${formatBytes(r.bytes)}, every file checked against its checksum`;
          } finally {
            emitStoreChanged(app.events);
          }
        }, { target, backup: p.backup }),
      };
    },

    async 'jobs.startRestore'(p) {
      const destination = await restoreDestination(p);
      const [docker, store, target] = await Promise.all([
        destination.volume !== undefined ? app.docker() : undefined,
        app.store(p.target),
        app.targetName(p.target),
      ]);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password, { threads: true });
      const version = await repo.version(p.version);
      const merge = p.mode === 'merge' ? p.onExisting : undefined;
      const n = p.paths?.length ?? 0;
      const what = n ? `${n === 1 ? 'the selected file or folder' : `${n} selected files and folders`} of the ${versionWords(version)}` : `the ${versionWords(version)}`;
      const title = restoreTitle(p.backup, version, p.sourceVolume ? [p.sourceVolume] : version.volumes, destination.volume ?? destination.dir!, target);
      return {
        jobId: app.jobs.start('restore', title, async ({ signal, onProgress, containersDown }) => {
          try {
            if (destination.dir !== undefined) {
              const { select } = sourceSelector(version, p.sourceVolume);
              const picked = p.paths?.length ? selectPaths(select, p.paths) : select;
              const merged = await restoreToFolder(repo, version, destination.dir, {
                force: p.force,
                ...(merge ? { merge } : {}),
                ...(picked ? { select: picked } : {}),
                signal,
                onProgress,
              });
              return `Restored ${what} into folder ${destination.dir}${merged ? `: ${mergeSummary(merged)}` : ', every file checked against its checksum'}`;
            }
            const r = await restoreVolume(repo, docker!, version, {
              targetVolume: destination.volume!,
              force: p.force,
              ...(merge ? { merge } : {}),
              stopContainers: p.stopContainers,
              signal,
              onProgress,
              log: app.log,
              onContainersDown: containersDown,
              ...(p.sourceVolume ? { sourceVolume: p.sourceVolume } : {}),
              ...(p.paths?.length ? { paths: p.paths } : {}),
            });
            if (r.merged) return `Restored ${what} into volume '${r.volume}': ${mergeSummary(r.merged)}`;
            return `Restored ${what} into ${r.created ? 'new ' : ''}volume '${r.volume}': ${r.files.toLocaleString('en')} files, ${formatBytes(r.bytes)}, every file checked against its checksum`;
          } finally {
            emitStoreChanged(app.events);
          }
        }, { target, backup: p.backup }),
      };
    },

    async 'jobs.startTestRestore'(p) {
      const [store, target] = await Promise.all([app.store(p.target), app.targetName(p.target)]);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password, { threads: true });
      const version = await repo.version(p.version);
      const docker = testRestoreNeedsDocker(version) ? await app.docker() : undefined;
      return {
        jobId: app.jobs.start(
          'test-restore',
          testRestoreTitle(p.backup, version, version.volumes, target),
          async ({ signal, onProgress }) => {
            const r = await testRestoreVersion(repo, version, docker, { signal, onProgress });
            app.events.emit('backups.changed', {});
            return `Passed: ${r.files} files, ${formatBytes(r.bytes)} restored and verified in ${formatDuration(r.durationMs / 1000)}`;
          },
          { target, backup: p.backup },
        ),
      };
    },

    async 'jobs.startVerify'(p) {
      const [store, target] = await Promise.all([app.store(p.target), app.targetName(p.target)]);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password, { threads: true });
      return {
        jobId: app.jobs.start('verify', verifyTitle(p.backup, target), async ({ signal, onProgress }) => {
          const report = await verifyBackup(repo, { readData: p.readData, signal, onProgress });
          if (report.errors.length) {
            throw new DvomError('INTEGRITY', `backup '${p.backup}' is damaged: ${report.errors.slice(0, 5).join('; ')}${report.errors.length > 5 ? ` (+${report.errors.length - 5} more)` : ''}`);
          }
          if (p.readData) app.events.emit('backups.changed', {});
          const read = p.readData ? '; every stored byte was read back and matched' : '';
          return `Intact: ${report.versions === 1 ? 'the 1 version' : `all ${report.versions} versions`} checked${read}`;
        }, { target, backup: p.backup }),
      };
    },
  };
}
