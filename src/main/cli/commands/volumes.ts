import { volumesWithLastBackup } from '../../services/catalog.ts';
import { COMMON_OPTIONS, type Command } from '../command.ts';
import { listingUnlock } from '../open-backup.ts';
import { dockerFor } from '../docker-session.ts';
import { formatBytes, formatDate, formatTable } from '../../../shared/format.ts';

export const volumesCommand: Command = {
  name: 'volumes',
  summary: 'list Docker volumes with their Compose stack, size, users and last backup',
  usage: 'dvom volumes [--json]',
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' } },
  positionals: [0, 0],
  async run(ctx) {
    const volumes = await volumesWithLastBackup(await dockerFor(ctx), ctx.store(), listingUnlock(ctx), (backup, err) =>
      ctx.output.warn(`backup '${backup}' is left out of the last backups: ${err.message}`));
    if (ctx.values.json) {
      const rows = volumes.map(({ lastBackup, stack, ...v }) => ({ ...v, stack: stack ?? null, lastBackup: lastBackup?.at ?? null, lastBackupName: lastBackup?.backup ?? null, lastBackupChecked: lastBackup?.checked ?? null }));
      return void ctx.output.out(JSON.stringify(rows, null, 2));
    }
    if (!volumes.length) return void ctx.output.out('No Docker volumes');
    // Grouped: each Compose stack's volumes together, then those of no stack.
    const grouped = volumes.toSorted((a, b) => Number(!a.stack) - Number(!b.stack) || (a.stack ?? '').localeCompare(b.stack ?? '') || a.name.localeCompare(b.name));
    ctx.output.out(
      formatTable(
        ['VOLUME', 'DRIVER', 'SIZE', 'USED BY', 'LAST BACKUP', 'STACK'],
        grouped.map((v) => [
          v.name,
          v.driver,
          v.size === null ? 'unknown' : formatBytes(v.size),
          v.usedBy.map((u) => `${u.name}${u.running ? ' (running)' : ''}`).join(', ') || '-',
          v.lastBackup ? `${formatDate(v.lastBackup.at)} (${v.lastBackup.backup}${v.lastBackup.checked ? '' : ', unchecked'})` : 'never',
          v.stack ?? '-',
        ]),
      ),
    );
  },
};
