import type { BackupDto, TreeNodeDto, VersionDto } from '../../shared/api/dto.ts';
import type { ValidParamsOf } from '../../shared/api/contract.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';
import { listVolumes, requireVolume } from '../docker/volumes.ts';
import { DvomError, usageError } from '../engine/errors.ts';
import { deleteVersion } from '../engine/ops/forget.ts';
import { deleteBackup, isDamaged, lastBackupOfVolumes, listBackups, versionsOf } from '../engine/ops/catalog.ts';
import { openVersion } from '../engine/ops/restore.ts';
import { Layout } from '../engine/repo/layout.ts';
import type { Repository } from '../engine/repo/repository.ts';
import { readVerifications, type VerificationRecord } from '../engine/repo/verification.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import { testRestoreNeedsDocker, testRestoreVersion, verifyBackup } from '../services/checks.ts';
import { createOrOpenBackup } from '../services/create-or-open.ts';
import { openWithPassword, passwordFinder } from '../services/open-backup.ts';
import { changeCredential, forgetPassword, rememberPassword, rememberedPassword } from '../services/passwords.ts';
import { DVOM_VERSION } from '../version.ts';
import { backupVolumes } from '../volumes/backup-volumes.ts';
import { restoreVolume } from '../volumes/restore-volume.ts';
import { sourceSelector } from '../volumes/volume-paths.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';
import { createScheduleHandlers } from './schedule-handlers.ts';
import { createTargetHandlers } from './target-handlers.ts';

function versionDto(v: VersionSummary, verified?: Map<string, VerificationRecord>): VersionDto {
  return {
    id: v.id,
    createdAt: v.createdAt,
    sourceKind: v.sourceKind,
    volumes: v.volumes,
    stats: { ...v.stats },
    verifiedAt: verified?.get(v.id)?.verifiedAt ?? null,
  };
}

/** The app API's handlers; params arrive validated by the Dispatcher. */
export function createHandlers(app: DvomApp): ApiHandlers {
  const changed = () => {
    app.events.emit('backups.changed', {});
    app.events.emit('volumes.changed', {});
  };

  /** Opens or creates the backup a backup job writes to. */
  async function repoForBackup(p: ValidParamsOf<'jobs.startBackup'>): Promise<Repository> {
    const store = await app.store(p.target);
    const { repo } = await createOrOpenBackup(store, p.backup, {
      encrypt: p.encrypt,
      finder: passwordFinder(p.backup, p.password, () => rememberedPassword(app.secrets, store, p.backup)),
      async newCredential() {
        if (!p.password) throw new DvomError('PASSWORD_REQUIRED', `choose a password for the new encrypted backup '${p.backup}'`);
        return { credential: { kind: 'password', password: p.password }, source: 'given' };
      },
      warn: app.log,
    });
    return repo;
  }

  return {
    async 'app.info'() {
      const store = await app.store();
      return { version: DVOM_VERSION, storeLocation: store.location, dockerHost: app.dockerHost(), keychain: app.secrets.name };
    },

    async 'volumes.list'() {
      const [docker, store] = await Promise.all([app.docker(), app.store()]);
      const [volumes, last] = await Promise.all([listVolumes(docker), lastBackupOfVolumes(store)]);
      return volumes.map((v) => ({
        name: v.name,
        driver: v.driver,
        size: v.size ?? null,
        usedBy: v.usedBy.map((u) => ({ name: u.name, running: u.running })),
        lastBackup: last.get(v.name) ?? null,
      }));
    },

    async 'backups.list'(p) {
      const store = await app.store(p.target);
      const list: BackupDto[] = [];
      for (const b of await listBackups(store)) {
        if (isDamaged(b)) {
          list.push({ name: b.name, createdAt: '', encrypted: false, versions: 0, latest: null, volumes: [], storedBytes: 0, passwordRemembered: false, damaged: b.error });
          continue;
        }
        list.push({
          name: b.name,
          createdAt: b.createdAt,
          encrypted: b.encrypted,
          versions: b.versions,
          latest: b.latest ? versionDto(b.latest, await readVerifications(store, new Layout(b.name))) : null,
          volumes: b.volumes,
          storedBytes: b.storedBytes,
          passwordRemembered: b.encrypted && !!(await rememberedPassword(app.secrets, store, b.name)),
          damaged: null,
        });
      }
      return list;
    },

    async 'backups.versions'(p) {
      const store = await app.store(p.target);
      const versions = await versionsOf(store, p.backup);
      const verified = await readVerifications(store, new Layout(p.backup));
      return versions.map((v) => versionDto(v, verified)).reverse();
    },

    async 'backups.tree'(p) {
      const repo = await openWithPassword(await app.store(p.target), app.secrets, p.backup, p.password);
      const version = await repo.version(p.version);
      const { select } = sourceSelector(version, p.volume);
      const dir = p.path.replace(/^\/+|\/+$/g, '');
      const opened = await openVersion(repo, version, select);
      const nodes: TreeNodeDto[] = [];
      for await (const e of opened.entries()) {
        const path = e.path.toString('utf8');
        if (path === '.') continue;
        const slash = path.lastIndexOf('/');
        const parent = slash < 0 ? '' : path.slice(0, slash);
        if (parent !== dir) continue;
        nodes.push({ name: path.slice(slash + 1), path, type: e.type, size: e.size });
      }
      return nodes.sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
    },

    async 'backups.changePassword'(p) {
      const store = await app.store(p.target);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password);
      if (!repo.config.encrypted) throw usageError(`backup '${p.backup}' is not encrypted: it has no password`);
      await changeCredential(repo, { kind: 'password', password: p.newPassword }, { secrets: app.secrets, store, warn: app.log });
      app.events.emit('backups.changed', {});
      return { changed: true };
    },

    async 'backups.delete'(p) {
      const store = await app.store(p.target);
      if (!p.version) {
        await deleteBackup(store, p.backup);
        await forgetPassword(app.secrets, store, p.backup).catch(() => false);
        changed();
        return { deleted: `backup '${p.backup}'` };
      }
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password);
      const { version } = await deleteVersion(repo, p.version);
      changed();
      return { deleted: `version ${version.id} of backup '${p.backup}'` };
    },

    async 'jobs.list'() {
      return app.jobs.list();
    },

    async 'jobs.cancel'(p) {
      return { cancelled: app.jobs.cancel(p.jobId) };
    },

    async 'jobs.startBackup'(p) {
      const docker = await app.docker();
      // Check the volumes first: a typo must not leave an empty backup locked to this password.
      for (const volume of p.volumes) await requireVolume(docker, volume);
      const repo = await repoForBackup(p);
      if (p.rememberPassword && p.password) await rememberPassword(app.secrets, await app.store(p.target), p.backup, p.password);
      const title = `Back up ${p.volumes.join(', ')} to ${p.backup}`;
      return {
        jobId: app.jobs.start('backup', title, async ({ signal, onProgress }) => {
          try {
            const v = await backupVolumes(repo, docker, { volumes: p.volumes, stopContainers: p.stopContainers, signal, onProgress, log: app.log });
            const saved = v.stats.bytes > 0 ? Math.max(0, 1 - v.stats.addedBytes / v.stats.bytes) : 0;
            return `Version ${v.id}: ${v.stats.files} files, ${formatBytes(v.stats.bytes)}; ${formatBytes(v.stats.addedStoredBytes)} stored (${Math.round(saved * 100)}% deduplicated)`;
          } finally {
            changed();
          }
        }),
      };
    },

    async 'jobs.startRestore'(p) {
      const [docker, store] = await Promise.all([app.docker(), app.store(p.target)]);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password);
      const version = await repo.version(p.version);
      return {
        jobId: app.jobs.start('restore', `Restore ${p.backup} into ${p.destinationVolume}`, async ({ signal, onProgress }) => {
          try {
            const r = await restoreVolume(repo, docker, version, {
              targetVolume: p.destinationVolume,
              force: p.force,
              stopContainers: p.stopContainers,
              signal,
              onProgress,
              log: app.log,
              ...(p.sourceVolume ? { sourceVolume: p.sourceVolume } : {}),
              ...(p.paths?.length ? { paths: p.paths } : {}),
            });
            const what = p.paths?.length ? `${p.paths.length} selected item(s) of version ${version.id}` : `version ${version.id}`;
            return `Restored ${what} into ${r.created ? 'new ' : ''}volume '${r.volume}': ${r.files} files, ${formatBytes(r.bytes)}, all hashes verified`;
          } finally {
            changed();
          }
        }),
      };
    },

    async 'jobs.startTestRestore'(p) {
      const store = await app.store(p.target);
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password);
      const version = await repo.version(p.version);
      const docker = testRestoreNeedsDocker(version) ? await app.docker() : undefined;
      return {
        jobId: app.jobs.start('test-restore', `Test restore of ${p.backup} ${version.id}`, async ({ signal, onProgress }) => {
          const r = await testRestoreVersion(repo, version, docker, { signal, onProgress });
          app.events.emit('backups.changed', {});
          return `Passed: ${r.files} files, ${formatBytes(r.bytes)} restored and verified in ${formatDuration(r.durationMs / 1000)}`;
        }),
      };
    },

    async 'jobs.startVerify'(p) {
      const repo = await openWithPassword(await app.store(p.target), app.secrets, p.backup, p.password);
      return {
        jobId: app.jobs.start('verify', `Verify ${p.backup}`, async ({ signal, onProgress }) => {
          const report = await verifyBackup(repo, { readData: p.readData, signal, onProgress });
          if (report.errors.length) {
            throw new DvomError('INTEGRITY', `backup '${p.backup}' is damaged: ${report.errors.slice(0, 5).join('; ')}${report.errors.length > 5 ? ` (+${report.errors.length - 5} more)` : ''}`);
          }
          if (p.readData) app.events.emit('backups.changed', {});
          return `Intact: ${report.versions} versions, ${report.packs} packs, ${report.blobs} blobs checked`;
        }),
      };
    },

    async 'secrets.setPassword'(p) {
      const store = await app.store(p.target);
      await openWithPassword(store, app.secrets, p.backup, p.password); // only a password that opens the backup is stored
      await rememberPassword(app.secrets, store, p.backup, p.password);
      app.events.emit('backups.changed', {});
      return { stored: true };
    },

    async 'secrets.hasPassword'(p) {
      const store = await app.store(p.target);
      return { remembered: !!(await rememberedPassword(app.secrets, store, p.backup)) };
    },

    async 'secrets.deletePassword'(p) {
      const store = await app.store(p.target);
      const deleted = await forgetPassword(app.secrets, store, p.backup);
      app.events.emit('backups.changed', {});
      return { deleted };
    },

    ...createTargetHandlers(app),
    ...createScheduleHandlers(app),
  };
}
