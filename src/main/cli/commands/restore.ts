import { restoreToFolder, usageError } from '../../engine/index.ts';
import { testRestoreNeedsDocker, testRestoreVersion } from '../../services/checks.ts';
import { restoreVolume } from '../../volumes/restore-volume.ts';
import { sourceSelector } from '../../volumes/volume-paths.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, type Command } from '../command.ts';
import { dockerFor, listOption } from '../docker-session.ts';
import { formatBytes, formatDuration } from '../../../shared/format.ts';
import { openBackup } from '../open-backup.ts';
import { logTo } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore a version into a volume or folder (--dry-run: test restore into a scratch volume)',
  usage:
    'dvom restore --snapshot=BACKUP [--version=ID] (--target-volume=NAME | --target-dir=DIR | --dry-run) [--force]\n' +
    '             [--volume=NAME] [--stop-containers=NAME,…] [--keep-setuid] [--password=P | --key-file=F]\n' +
    '  --keep-setuid  with --target-dir: restore setuid/setgid bits of files (dropped by default)',
  options: {
    ...COMMON_OPTIONS,
    ...CREDENTIAL_OPTIONS,
    snapshot: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    volume: { type: 'string' },
    'target-volume': { type: 'string' },
    'target-dir': { type: 'string' },
    force: { type: 'boolean' },
    'keep-setuid': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'stop-containers': { type: 'string', multiple: true },
  },
  positionals: [0, 0],
  async run(ctx) {
    const name = str(ctx.values, 'snapshot') ?? str(ctx.values, 'name');
    if (!name) throw usageError('--snapshot=NAME is required (the backup to restore from)');
    const destinationDir = str(ctx.values, 'target-dir');
    const destinationVolume = str(ctx.values, 'target-volume');
    const dryRun = ctx.values['dry-run'] === true;
    const destinations = [destinationDir, destinationVolume, dryRun || undefined].filter((d) => d !== undefined).length;
    if (destinations !== 1) throw usageError('give exactly one of --target-volume=NAME, --target-dir=DIR or --dry-run');
    const sourceVolume = str(ctx.values, 'volume');
    const stopContainers = listOption(ctx.values['stop-containers']);
    if (ctx.values['keep-setuid'] === true && !destinationDir) throw usageError('--keep-setuid goes with --target-dir');
    const repo = await openBackup(ctx, name);
    const version = await repo.version(str(ctx.values, 'version'));
    const needsDocker = destinationVolume !== undefined || (dryRun && testRestoreNeedsDocker(version));
    const docker = needsDocker ? await dockerFor(ctx) : undefined;
    const bar = progressBar(ctx.output.interactive, dryRun ? `test restore ${name}` : `restore ${name}`);
    const progress = { signal: ctx.signal, ...(bar.listener ? { onProgress: bar.listener } : {}) };
    try {
      if (dryRun) {
        const result = await testRestoreVersion(repo, version, docker, { ...progress, ...(sourceVolume ? { sourceVolume } : {}) });
        bar.done();
        ctx.output.out(
          `Test restore of ${name} version ${version.id} passed: ${result.files} files, ${formatBytes(result.bytes)}, ` +
            `every size and SHA-256 verified in ${formatDuration(result.durationMs / 1000)}`,
        );
        return;
      }
      if (destinationVolume) {
        const result = await restoreVolume(repo, docker!, version, {
          ...progress,
          targetVolume: destinationVolume,
          force: ctx.values.force === true,
          stopContainers,
          log: logTo(ctx.output),
          ...(sourceVolume ? { sourceVolume } : {}),
        });
        bar.done();
        ctx.output.info(
          `Restored ${name} version ${version.id} into ${result.created ? 'new ' : ''}volume '${destinationVolume}'` +
            `${result.replaced ? ' (previous contents replaced)' : ''}`,
        );
        return;
      }
      if (stopContainers.length) throw usageError('--stop-containers goes with --target-volume');
      const keepSetuid = ctx.values['keep-setuid'] === true;
      const { select } = sourceSelector(version, sourceVolume);
      await restoreToFolder(repo, version, destinationDir!, { ...progress, force: ctx.values.force === true, keepSetuid, ...(select ? { select } : {}) });
    } finally {
      bar.done();
    }
    ctx.output.info(`Restored ${name} version ${version.id} into ${destinationDir}: ${version.stats.files} files, ${formatBytes(version.stats.bytes)}`);
  },
};
