import { keychainUnlock, volumesWithLastBackup } from '../services/catalog.ts';
import { DVOM_VERSION } from '../version.ts';
import { requireVolume } from '../docker/volumes.ts';
import { listVolumeFolder } from '../docker/volume-browse.ts';
import { createBackupHandlers } from './backup-handlers.ts';
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
      return { version: DVOM_VERSION, storeLocation: store.location, dockerHost: app.dockerHost(), keychain: app.secrets.name };
    },

    async 'volumes.list'() {
      const [docker, store] = await Promise.all([app.docker(), app.store()]);
      return volumesWithLastBackup(docker, store, keychainUnlock(store, app.secrets), (backup, err) =>
        app.log(`Warning: volumes list: backup '${backup}' left out: ${err.message}`));
    },

    async 'volumes.tree'(p) {
      const docker = await app.docker();
      await requireVolume(docker, p.volume);
      return listVolumeFolder(docker, p.volume, p.path);
    },

    ...createBackupHandlers(app),
    ...createLockHandlers(app),
    ...createReclaimHandlers(app),
    ...createJobHandlers(app),
    ...createPasswordHandlers(app),
    ...createTargetHandlers(app),
    ...createScheduleHandlers(app),
  };
}
