import { keychainUnlock, volumesWithLastBackups, type ListedStore } from '../services/catalog.ts';
import { DVOM_VERSION } from '../version.ts';
import { requireVolume } from '../docker/volumes.ts';
import { listVolumeFolder } from '../docker/volume-browse.ts';
import { createBackupHandlers } from './backup-handlers.ts';
import { createEngineHandlers } from './engine-handlers.ts';
import { createReclaimHandlers } from './reclaim-handlers.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';
import { createJobHandlers } from './job-handlers.ts';
import { createLockHandlers } from './lock-handlers.ts';
import { createPasswordHandlers } from './password-handlers.ts';
import { createScheduleHandlers } from './schedule-handlers.ts';
import { createTargetHandlers } from './target-handlers.ts';

/** The app API's handlers; params arrive validated by the Dispatcher. Each group is thin over the services. */
export function createHandlers(app: DvomApp): ApiHandlers {
  return {
    async 'app.info'() {
      const store = await app.store();
      const { name, host, source } = await app.engine();
      return { version: DVOM_VERSION, storeLocation: store.location, dockerHost: host, engine: { name, host, source }, keychain: app.secrets.name };
    },

    /** Each volume's last backup in every store: the named targets, and the default store when it is not one of them. */
    async 'volumes.list'() {
      const [docker, config, defaultName] = await Promise.all([app.docker(), app.config(), app.targetName()]);
      // The app's own store first (also when it names a target the config lacks: then it is one that cannot be read).
      const names: (string | null)[] = [defaultName ?? null, ...Object.keys(config.targets).filter((n) => n !== defaultName)];
      const stores: ListedStore[] = names.map((target) => ({
        target,
        async open() {
          const store = await app.store(target ?? undefined);
          return { store, unlock: keychainUnlock(store, app.secrets) };
        },
      }));
      return volumesWithLastBackups(docker, stores, (target, backup, err) =>
        app.log(`Warning: volumes list: backup '${backup}'${target ? ` on ${target}` : ''} left out: ${err.message}`));
    },

    async 'volumes.tree'(p) {
      const docker = await app.docker();
      await requireVolume(docker, p.volume);
      return listVolumeFolder(docker, p.volume, p.path);
    },

    ...createEngineHandlers(app),
    ...createBackupHandlers(app),
    ...createLockHandlers(app),
    ...createReclaimHandlers(app),
    ...createJobHandlers(app),
    ...createPasswordHandlers(app),
    ...createTargetHandlers(app),
    ...createScheduleHandlers(app),
  };
}
