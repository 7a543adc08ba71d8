import type { BackupDto, TreeNodeDto, VersionDto } from '../../shared/api/dto.ts';
import { isDvomError, usageError } from '../engine/errors.ts';
import { isDamaged, listBackups } from '../engine/ops/catalog.ts';
import { deleteVersion } from '../engine/ops/forget.ts';
import { openVersion } from '../engine/ops/restore.ts';
import { keychainUnlock, versionsWithVerification, type ListedVersion } from '../services/catalog.ts';
import { deleteWholeBackup } from '../services/backup-identity.ts';
import { emitStoreChanged } from '../services/event-hub.ts';
import { openWithPassword } from '../services/open-backup.ts';
import { changeCredential, forgetPassword, rememberedPassword } from '../services/passwords.ts';
import { sourceSelector } from '../volumes/volume-paths.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

type BackupHandlers = Pick<ApiHandlers, 'backups.list' | 'backups.versions' | 'backups.tree' | 'backups.changePassword' | 'backups.delete'>;

function versionDto(v: ListedVersion): VersionDto {
  return {
    id: v.id,
    createdAt: v.createdAt,
    sourceKind: v.sourceKind,
    volumes: v.volumes,
    stats: { ...v.stats },
    verifiedAt: v.verifiedAt,
    checked: v.checked,
    engine: v.engine ? { name: v.engine.name, host: v.engine.host } : null,
    origin: { ...v.origin },
  };
}

/** Backups and their versions: listing needs no password; reading a tree, changing a password or deleting a version does. */
export function createBackupHandlers(app: DvomApp): BackupHandlers {
  return {
    async 'backups.list'(p) {
      const store = await app.store(p.target);
      const unlock = keychainUnlock(store, app.secrets);
      const list: BackupDto[] = [];
      const damaged = (name: string, error: string): BackupDto =>
        ({ name, createdAt: '', encrypted: false, versions: 0, latest: null, volumes: [], storedBytes: 0, passwordRemembered: false, damaged: error });
      for (const b of await listBackups(store)) {
        if (isDamaged(b)) {
          list.push(damaged(b.name, b.error));
          continue;
        }
        let latest: ListedVersion | undefined;
        try {
          latest = b.latest ? (await versionsWithVerification(store, b.name, unlock)).at(-1) : undefined;
        } catch (err) {
          // Its records fail the checks its key makes possible: listed as damaged, so the others still show.
          if (!isDvomError(err, 'INTEGRITY')) throw err;
          list.push(damaged(b.name, err.message));
          continue;
        }
        list.push({
          name: b.name,
          createdAt: b.createdAt,
          encrypted: b.encrypted,
          versions: b.versions,
          latest: latest ? versionDto(latest) : null,
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
      const versions = await versionsWithVerification(store, p.backup, keychainUnlock(store, app.secrets));
      return versions.map(versionDto).reverse();
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
        await deleteWholeBackup(store, p.backup);
        await forgetPassword(app.secrets, store, p.backup).catch(() => false);
        emitStoreChanged(app.events);
        return { deleted: `backup '${p.backup}'` };
      }
      const repo = await openWithPassword(store, app.secrets, p.backup, p.password);
      const { version } = await deleteVersion(repo, p.version);
      emitStoreChanged(app.events);
      return { deleted: `version ${version.id} of backup '${p.backup}'` };
    },
  };
}
