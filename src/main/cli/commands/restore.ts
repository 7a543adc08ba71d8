import { checkVersionContent, restoreToFolder, usageError } from '../../engine/index.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, type Command } from '../command.ts';
import { formatBytes, formatDuration } from '../format.ts';
import { openBackup } from '../open-backup.ts';
import { progressBar } from '../progress-bar.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore a version into a folder (or test-restore it with --dry-run)',
  usage: 'dvom restore --snapshot=NAME [--version=ID] (--target-dir=DIR [--force] | --dry-run) [--password=P | --key-file=F]',
  options: {
    ...COMMON_OPTIONS,
    ...CREDENTIAL_OPTIONS,
    snapshot: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    'target-dir': { type: 'string' },
    force: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: [0, 0],
  async run(ctx) {
    const name = str(ctx.values, 'snapshot') ?? str(ctx.values, 'name');
    if (!name) throw usageError('--snapshot=NAME is required (the backup to restore from)');
    const target = str(ctx.values, 'target-dir');
    const dryRun = ctx.values['dry-run'] === true;
    if (!target && !dryRun) throw usageError('--target-dir=DIR is required (or --dry-run to test the version without writing)');
    const repo = await openBackup(ctx, name);
    const version = await repo.version(str(ctx.values, 'version'));
    const bar = progressBar(ctx.output.interactive, dryRun ? `check ${name}` : `restore ${name}`);
    const progress = { signal: ctx.signal, ...(bar.listener ? { onProgress: bar.listener } : {}) };
    try {
      if (dryRun) {
        const result = await checkVersionContent(repo, version, progress);
        bar.done();
        ctx.output.out(
          `Test restore of ${name} version ${version.id} passed: ${result.files} files, ` +
            `${formatBytes(result.bytes)}, every size and SHA-256 verified in ${formatDuration(result.durationMs / 1000)}`,
        );
        return;
      }
      await restoreToFolder(repo, version, target!, { ...progress, force: ctx.values.force === true });
    } finally {
      bar.done();
    }
    ctx.output.info(`Restored ${name} version ${version.id} into ${target}: ${version.stats.files} files, ${formatBytes(version.stats.bytes)}`);
  },
};
