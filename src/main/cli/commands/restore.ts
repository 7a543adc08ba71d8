import { restoreToFolder, usageError } from '../../engine/index.ts';
import { testRestoreNeedsDocker, testRestoreVersion } from '../../services/checks.ts';
import { restoreVolume } from '../../volumes/restore-volume.ts';
import { selectPaths, sourceSelector } from '../../volumes/volume-paths.ts';
import type { MergeCounts, OnExisting } from '../../engine/restore/written-files.ts';
import { mergeSummary } from '../../services/restore-destination.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, strings, type Command, type CommandContext, type Values } from '../command.ts';
import { checkStackName } from '../../docker/compose.ts';
import { restoreStack } from '../../services/stack-restore.ts';
import { dockerFor, listOption } from '../docker-session.ts';
import { formatBytes, formatDuration } from '../../../shared/format.ts';
import { openBackup } from '../open-backup.ts';
import { compilePatterns } from '../../engine/tree/path-pattern.ts';
import { hasRules, pathFilter, type PathRules } from '../../engine/tree/path-filter.ts';
import { logTo, type Output } from '../output.ts';
import { previewRestore, type RestorePreview, type RestorePreviewDestination } from '../../services/restore-preview.ts';
import { progressBar } from '../progress-bar.ts';

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore a version into a volume or folder (--dry-run: test restore into a scratch volume)',
  usage:
    'dvom restore --snapshot=BACKUP [--version=ID] (--target-volume=NAME | --target-dir=DIR) [--dry-run]\n' +
    '             [--force | --keep-existing | --overwrite-existing] [--path=PATH…]\n' +
    '             [--volume=NAME] [--stop-containers=NAME,…] [--include=PATTERN…] [--exclude=PATTERN…] [--keep-setuid]\n' +
    '             [--password=P | --key-file=F]\n' +
    'dvom restore --snapshot=BACKUP [--version=ID] --stack=NAME [--force]\n' +
    '  --stack: every volume of the version back into the volume of the same name, for Compose project NAME: all are\n' +
    '  restored and verified in staging volumes first; then the stack\'s running containers are stopped, the volumes\n' +
    '  replaced (--force when they hold data) and the containers started again.\n' +
    '  --include / --exclude: restore only what matches (and the folders leading to it) / everything but what matches;\n' +
    '  patterns are relative to the volume or folder restored: * and ? within a name, ** across folders, a leading /\n' +
    '  anchors at its root. A folder that matches brings (or leaves out) everything below it.\n' +
    '  --dry-run alone: test restore into a scratch volume (or, for a folder backup, read and check every file).\n' +
    '  --dry-run with a destination: the same test restore, plus what the restore would do to that volume or folder\n' +
    '  (create it, fill it, replace its contents with --force, stop containers, or why it would refuse); it is not touched.\n' +
    '  --path: restore only this file or folder (relative to the volume or folder restored; repeatable).\n' +
    '  A destination that holds data is refused unless one of these says what to do with it:\n' +
    '  --keep-existing: write the restored files into it, keep everything else, and leave files it already has alone;\n' +
    '  --overwrite-existing: the same, but files it already has at those paths are replaced;\n' +
    '  --force: replace its whole contents by the restored version.\n' +
    '  All three restore and verify into a temporary copy first; the destination is written only after that.\n' +
    '  --keep-setuid: with --target-dir, restore setuid/setgid bits of files (dropped by default)\n' +
    'Example: dvom restore --snapshot=prod-backup --target-volume=test-restore --dry-run',
  options: {
    ...COMMON_OPTIONS,
    ...CREDENTIAL_OPTIONS,
    snapshot: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    volume: { type: 'string' },
    'target-volume': { type: 'string' },
    stack: { type: 'string' },
    'target-dir': { type: 'string' },
    force: { type: 'boolean' },
    'keep-existing': { type: 'boolean' },
    'overwrite-existing': { type: 'boolean' },
    path: { type: 'string', multiple: true },
    'keep-setuid': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'stop-containers': { type: 'string', multiple: true },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
  },
  positionals: [0, 0],
  async run(ctx) {
    const name = str(ctx.values, 'snapshot') ?? str(ctx.values, 'name');
    if (!name) throw usageError('--snapshot=NAME is required (the backup to restore from)');
    const stack = str(ctx.values, 'stack');
    if (stack !== undefined) return restoreStackCommand(ctx, name, checkStackName(stack));
    const destinationDir = str(ctx.values, 'target-dir');
    const destinationVolume = str(ctx.values, 'target-volume');
    const dryRun = ctx.values['dry-run'] === true;
    if (destinationDir !== undefined && destinationVolume !== undefined) throw usageError('give either --target-volume=NAME or --target-dir=DIR, not both');
    if (destinationDir === undefined && destinationVolume === undefined && !dryRun) {
      throw usageError('give one of --target-volume=NAME, --target-dir=DIR or --dry-run');
    }
    const sourceVolume = str(ctx.values, 'volume');
    const stopContainers = listOption(ctx.values['stop-containers']);
    if (stopContainers.length && destinationVolume === undefined) throw usageError('--stop-containers goes with --target-volume');
    if (ctx.values['keep-setuid'] === true && !destinationDir) throw usageError('--keep-setuid goes with --target-dir');
    const rules = restoreRules(ctx.values);
    const merge = mergeOption(ctx.values);
    const paths = strings(ctx.values, 'path');
    if (dryRun && paths.length) throw usageError('--path goes with a restore; for a test restore of part of a version use --include');
    let merged: MergeCounts | undefined;
    const repo = await openBackup(ctx, name, { threads: true });
    const version = await repo.version(str(ctx.values, 'version'));
    const needsDocker = destinationVolume !== undefined || (dryRun && testRestoreNeedsDocker(version));
    const docker = needsDocker ? await dockerFor(ctx) : undefined;
    const bar = progressBar(ctx.output.interactive, dryRun ? `test restore ${name}` : `restore ${name}`);
    const progress = { signal: ctx.signal, ...(bar.listener ? { onProgress: bar.listener } : {}) };
    try {
      if (dryRun && (destinationVolume !== undefined || destinationDir !== undefined)) {
        const destination: RestorePreviewDestination =
          destinationVolume !== undefined ? { kind: 'volume', volume: destinationVolume, stopContainers } : { kind: 'folder', dir: destinationDir! };
        const preview = await previewRestore(repo, version, docker, destination, {
          ...progress,
          force: ctx.values.force === true,
          merge: merge !== undefined,
          ...(rules ? { rules } : {}),
          ...(sourceVolume ? { sourceVolume } : {}),
        });
        bar.done();
        reportPreview(ctx.output, name, version.id, destination, preview, rules !== undefined);
        return;
      }
      if (dryRun) {
        const result = await testRestoreVersion(repo, version, docker, { ...progress, ...(rules ? { rules } : {}), ...(sourceVolume ? { sourceVolume } : {}) });
        bar.done();
        ctx.output.out(passedLine(name, version.id, rules !== undefined, result));
        return;
      }
      if (destinationVolume) {
        const result = await restoreVolume(repo, docker!, version, {
          ...progress,
          targetVolume: destinationVolume,
          force: ctx.values.force === true,
          ...(merge ? { merge } : {}),
          ...(paths.length ? { paths } : {}),
          stopContainers,
          ...(rules ? { rules } : {}),
          log: logTo(ctx.output),
          ...(sourceVolume ? { sourceVolume } : {}),
        });
        bar.done();
        ctx.output.info(
          `Restored ${name} version ${version.id} into ${result.created ? 'new ' : ''}volume '${destinationVolume}'` +
            `${result.replaced ? ' (previous contents replaced)' : result.merged ? `: ${mergeSummary(result.merged)}` : ''}`,
        );
        return;
      }
      const { select } = sourceSelector(version, sourceVolume);
      const picked = paths.length ? selectPaths(select, paths) : select;
      merged = await restoreToFolder(repo, version, destinationDir!, {
        ...progress,
        force: ctx.values.force === true,
        ...(merge ? { merge } : {}),
        keepSetuid: ctx.values['keep-setuid'] === true,
        ...(picked ? { select: picked } : {}),
        ...(rules ? { filter: pathFilter(rules) } : {}),
      });
    } finally {
      bar.done();
    }
    const counts = merged
      ? mergeSummary(merged)
      : rules || paths.length ? 'the selected files' : `${version.stats.files} files, ${formatBytes(version.stats.bytes)}`;
    ctx.output.info(`Restored ${name} version ${version.id} into ${destinationDir}: ${counts}`);
  },
};

/** --stack: the whole version into the stack's volumes (services/stack-restore.ts). */
async function restoreStackCommand(ctx: CommandContext, name: string, stack: string): Promise<void> {
  for (const flag of ['target-volume', 'target-dir', 'volume', 'dry-run', 'stop-containers', 'include', 'exclude', 'keep-setuid', 'keep-existing', 'overwrite-existing', 'path']) {
    if (ctx.values[flag] !== undefined) throw usageError(`--${flag} does not go with --stack`);
  }
  const repo = await openBackup(ctx, name, { threads: true });
  const version = await repo.version(str(ctx.values, 'version'));
  const docker = await dockerFor(ctx);
  const bar = progressBar(ctx.output.interactive, `restore ${stack}`);
  let result;
  try {
    result = await restoreStack(repo, docker, version, stack, {
      force: ctx.values.force === true,
      signal: ctx.signal,
      log: logTo(ctx.output),
      ...(bar.listener ? { onProgress: bar.listener } : {}),
    });
  } finally {
    bar.done();
  }
  const how = result.volumes.map((v) => `${v.volume}${v.created ? ' (created)' : v.replaced ? ' (replaced)' : ''}`).join(', ');
  ctx.output.info(`Restored ${name} version ${version.id} into stack '${stack}': ${how}; ${result.files} files, ${formatBytes(result.bytes)}, all hashes verified`);
}

/** The dry run's report: the test restore's result, then what the restore would do to the destination. */
function reportPreview(
  output: Output,
  name: string,
  versionId: string,
  destination: RestorePreviewDestination,
  p: RestorePreview,
  selection: boolean,
): void {
  const o = p.outcome;
  output.out(passedLine(name, versionId, selection, o));
  const where = destination.kind === 'volume' ? `volume '${destination.volume}'` : `folder '${destination.dir}'`;
  const what = `${o.files} files (${formatBytes(o.bytes)})`;
  const action =
    p.action === 'create' ? `create ${where} and write ${what} into it`
      : p.action === 'fill' ? `write ${what} into the empty ${where}`
        : p.action === 'merge'
          ? `write ${what} into ${where}, keeping everything else in it (restored and verified in a temporary copy first)`
          : `replace the contents of ${where} with ${what} (restored and verified in a temporary copy first)`;
  const stops = p.stops.length ? `, stopping container(s) ${p.stops.join(', ')} and starting them again afterwards` : '';
  output.out(`Dry run: the restore would ${action}${stops}. Nothing was written to ${where}.`);
}

/** --keep-existing / --overwrite-existing: what a merge does with files the destination has; neither goes with --force. */
function mergeOption(values: Values): OnExisting | undefined {
  const keep = values['keep-existing'] === true;
  const overwrite = values['overwrite-existing'] === true;
  if ([keep, overwrite, values.force === true].filter(Boolean).length > 1) {
    throw usageError('give at most one of --keep-existing, --overwrite-existing and --force');
  }
  return keep ? 'skip' : overwrite ? 'overwrite' : undefined;
}

/** --include / --exclude, checked before anything is opened (a malformed pattern is a usage error). */
function restoreRules(values: Values): PathRules | undefined {
  const rules: PathRules = { include: strings(values, 'include'), exclude: strings(values, 'exclude') };
  compilePatterns([...rules.include!, ...rules.exclude!]);
  return hasRules(rules) ? rules : undefined;
}

/** The line a passed test restore prints (the dry run's first). */
function passedLine(name: string, versionId: string, selection: boolean, o: { files: number; bytes: number; durationMs: number }): string {
  return (
    `Test restore of ${name} version ${versionId}${selection ? ' (the selected files only; not recorded as verified)' : ''} passed: ` +
    `${o.files} files, ${formatBytes(o.bytes)}, every size and SHA-256 verified in ${formatDuration(o.durationMs / 1000)}`
  );
}
