import type { BackupDto, TreeNodeDto, VersionDto } from '../../shared/api/dto.ts';
import type { ValidParamsOf } from '../../shared/api/contract.ts';
import { scryptFromEnv } from '../config/scrypt-env.ts';
import { listVolumes, requireVolume } from '../docker/volumes.ts';
import { DvomError, usageError } from '../engine/errors.ts';
import { deleteVersion } from '../engine/ops/forget.ts';
import { deleteBackup, isDamaged, lastBackupOfVolumes, listBackups, versionsOf } from '../engine/ops/catalog.ts';
import { checkVersionContent, openVersion } from '../engine/ops/restore.ts';
import { Layout } from '../engine/repo/layout.ts';
import { readVerifications, recordVerification, type VerificationRecord } from '../engine/repo/verification.ts';
import { sourceSelector } from '../volumes/volume-paths.ts';
import { createTargetHandlers } from './target-handlers.ts';
import { createScheduleHandlers } from './schedule-handlers.ts';
import { verify } from '../engine/ops/verify.ts';
import { Repository } from '../engine/repo/repository.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import { passwordAccount } from '../secrets/accounts.ts';
import { DVOM_VERSION } from '../version.ts';
import { backupVolumes } from '../volumes/backup-volumes.ts';
import { restoreVolume } from '../volumes/restore-volume.ts';
import { testRestore } from '../volumes/test-restore.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';
import { existingRepoConfig, openRepoForApp, rememberPassword, rememberedPassword } from './open-repo.ts';
import { formatBytes, formatDuration } from '../../shared/format.ts';

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
    const existing = await existingRepoConfig(store, p.backup);
    if (existing) {
      if (p.encrypt && !existing.encrypted) {
        throw usageError(`backup '${p.backup}' exists and is not encrypted; encryption is chosen when a backup is created`);
      }
      return openRepoForApp(store, app.secrets, p.backup, p.password);
    }
    if (!p.encrypt) return Repository.create(store, p.backup, { encrypted: false });
    if (!p.password) throw new DvomError('PASSWORD_REQUIRED', `choose a password for the new encrypted backup '${p.backup}'`);
    const scrypt = scryptFromEnv(app.log);
    return Repository.create(store, p.backup, { encrypted: true, credential: { kind: 'password', password: p.password }, ...(scrypt ? { scrypt } : {}) });
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
      const repo = await openRepoForApp(await app.store(p.target), app.secrets, p.backup, p.password);
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
      const repo = await openRepoForApp(store, app.secrets, p.backup, p.password);
      if (!repo.config.encrypted) throw usageError(`backup '${p.backup}' is not encrypted: it has no password`);
      const scrypt = scryptFromEnv(app.log);
      await repo.locked('passwd', true, () => repo.changeCredential({ kind: 'password', password: p.newPassword }, scrypt));
      if (await rememberedPassword(app.secrets, store, p.backup)) await rememberPassword(app.secrets, store, p.backup, p.newPassword);
      app.events.emit('backups.changed', {});
      return { changed: true };
    },

    async 'backups.delete'(p) {
      const store = await app.store(p.target);
      if (!p.version) {
        await deleteBackup(store, p.backup);
        await app.secrets.delete('backup-password', passwordAccount(store.location, p.backup)).catch(() => false);
        changed();
        return { deleted: `backup '${p.backup}'` };
      }
      const repo = await openRepoForApp(store, app.secrets, p.backup, p.password);
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
      const repo = await openRepoForApp(store, app.secrets, p.backup, p.password);
      const version = await repo.version(p.version);
      return {
        jobId: app.jobs.start('restore', `Restore ${p.backup} into ${p.targetVolume}`, async ({ signal, onProgress }) => {
          try {
            const r = await restoreVolume(repo, docker, version, {
              targetVolume: p.targetVolume,
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
      const repo = await openRepoForApp(store, app.secrets, p.backup, p.password);
      const version = await repo.version(p.version);
      const docker = version.sourceKind === 'volume' ? await app.docker() : undefined;
      return {
        jobId: app.jobs.start('test-restore', `Test restore of ${p.backup} ${version.id}`, async ({ signal, onProgress }) => {
          const r = docker
            ? await testRestore(repo, docker, version, { signal, onProgress })
            : await checkVersionContent(repo, version, { signal, onProgress });
          await recordVerification(repo, { versionId: version.id, method: 'test-restore', files: r.files, bytes: r.bytes });
          app.events.emit('backups.changed', {});
          return `Passed: ${r.files} files, ${formatBytes(r.bytes)} restored and verified in ${formatDuration(r.durationMs / 1000)}`;
        }),
      };
    },

    async 'jobs.startVerify'(p) {
      const repo = await openRepoForApp(await app.store(p.target), app.secrets, p.backup, p.password);
      return {
        jobId: app.jobs.start('verify', `Verify ${p.backup}`, async ({ signal, onProgress }) => {
          const report = await verify(repo, { readData: p.readData, signal, onProgress });
          if (report.errors.length) {
            throw new DvomError('INTEGRITY', `backup '${p.backup}' is damaged: ${report.errors.slice(0, 5).join('; ')}${report.errors.length > 5 ? ` (+${report.errors.length - 5} more)` : ''}`);
          }
          if (p.readData) {
            for (const v of await repo.versions()) {
              await recordVerification(repo, { versionId: v.id, method: 'read-data', files: v.stats.files, bytes: v.stats.bytes });
            }
            app.events.emit('backups.changed', {});
          }
          return `Intact: ${report.versions} versions, ${report.packs} packs, ${report.blobs} blobs checked`;
        }),
      };
    },

    async 'secrets.setPassword'(p) {
      const store = await app.store(p.target);
      await openRepoForApp(store, app.secrets, p.backup, p.password); // only a password that opens the backup is stored
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
      const deleted = await app.secrets.delete('backup-password', passwordAccount(store.location, p.backup));
      app.events.emit('backups.changed', {});
      return { deleted };
    },

    ...createTargetHandlers(app),
    ...createScheduleHandlers(app),
  };
}
