import { formatBytes, formatDate } from '../../../shared/format.ts';
import { backupStats, type VersionStatsRow } from '../../services/browse.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, type Command } from '../command.ts';
import { openBackup } from '../open-backup.ts';

const ratio = (r: number | null) => (r === null ? '-' : `${r.toFixed(2)}x`);

const COLUMNS: [string, number][] = [['VERSION', 23], ['CREATED', 19], ['FILES', 9], ['LOGICAL', 11], ['STORED', 11], ['ADDED', 11], ['DEDUP', 8]];

function line(cells: string[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(COLUMNS[i]![1]))).join('  ');
}

export const statsCommand: Command = {
  name: 'stats',
  summary: 'logical size, stored size and dedup ratio, per version and overall',
  usage:
    'dvom stats BACKUP [--json]\n' +
    '  LOGICAL  the size of the version\'s files (what a restore writes)\n' +
    '  STORED   the stored (compressed, encrypted) size of the distinct chunks and tree parts the version needs\n' +
    '  ADDED    what the version added to the store when it was made\n' +
    '  DEDUP    LOGICAL / STORED; overall: all versions\' logical size / everything the backup stores\n' +
    'Example: dvom stats mydata',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, json: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const repo = await openBackup(ctx, name);
    const json = ctx.values.json === true;
    const rows: object[] = [];
    if (!json) ctx.output.out(line(COLUMNS.map(([h]) => h)));
    const total = await backupStats(
      repo,
      ctx.store(),
      (r: VersionStatsRow) => {
        if (json) {
          // One small object per version: versions are few, their files are not (those are never collected).
          rows.push({
            version: r.version.id,
            createdAt: r.version.createdAt,
            files: r.version.stats.files,
            logicalBytes: r.logicalBytes,
            storedBytes: r.storedBytes,
            addedStoredBytes: r.addedStoredBytes,
            chunks: r.chunks,
            dedupRatio: r.dedupRatio,
          });
          return;
        }
        ctx.output.out(
          line([
            r.version.id,
            formatDate(r.version.createdAt),
            String(r.version.stats.files),
            formatBytes(r.logicalBytes),
            formatBytes(r.storedBytes),
            formatBytes(r.addedStoredBytes),
            ratio(r.dedupRatio),
          ]),
        );
      },
      { signal: ctx.signal },
    );
    if (json) return void ctx.output.out(JSON.stringify({ backup: name, versions: rows, total }, null, 2));
    ctx.output.out(
      `Total: ${total.versions} versions, logical ${formatBytes(total.logicalBytes)}, stored ${formatBytes(total.storedBytes)}, ` +
        `dedup ratio ${ratio(total.dedupRatio)}`,
    );
  },
};
