import { estimatePrune, prune } from '../engine/ops/prune.ts';
import { emitStoreChanged } from '../services/event-hub.ts';
import { openWithPassword } from '../services/open-backup.ts';
import type { ApiHandlers } from './dispatcher.ts';
import type { DvomApp } from './dvom-app.ts';

/** The Backups page's "Reclaim space": prune's own plan gives the estimate, so it is what prune then frees. */
export function createReclaimHandlers(app: DvomApp): Pick<ApiHandlers, 'backups.reclaimEstimate' | 'backups.reclaim'> {
  return {
    async 'backups.reclaimEstimate'(p) {
      const repo = await openWithPassword(await app.store(p.target), app.secrets, p.backup, p.password);
      const { bytesToFree, packsSpared } = await estimatePrune(repo);
      return { bytesToFree, packsSpared };
    },

    async 'backups.reclaim'(p) {
      const repo = await openWithPassword(await app.store(p.target), app.secrets, p.backup, p.password);
      try {
        const report = await prune(repo);
        return { bytesFreed: report.bytesFreed };
      } finally {
        emitStoreChanged(app.events);
      }
    },
  };
}
