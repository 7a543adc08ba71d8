import { describeLock, unlockBackup } from '../services/locks.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

/** The backups view's Unlock action, over the same service as `dvom unlock`. */
export function createLockHandlers(app: DvomApp): Pick<ApiHandlers, 'backups.unlock'> {
  return {
    async 'backups.unlock'(p) {
      const { removed, live } = await unlockBackup(await app.store(p.target), p.backup, { force: p.force });
      for (const lock of removed) {
        if (!lock.stale) app.log(`Warning: removed the live lock of ${describeLock(lock)} on backup '${p.backup}'`);
      }
      return {
        removed: removed.length,
        live: live.map(({ operation, host, pid, exclusive, createdAt }) => ({ operation, host, pid, exclusive, createdAt })),
      };
    },
  };
}
