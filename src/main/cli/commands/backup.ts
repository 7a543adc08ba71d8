import type Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { DvomError, backup, checkBackupName, folderSize, folderSource, usageError } from '../../engine/index.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, strings, type Command, type CommandContext, type Values } from '../command.ts';
import { formatBytes, formatDuration } from '../../../shared/format.ts';
import { openOrCreate } from '../open-backup.ts';
import { logTo } from '../output.ts';
import { firstBackupOrUndo } from '../../services/new-backup.ts';
import { progressBar } from '../progress-bar.ts';
import { dockerFor, listOption } from '../docker-session.ts';
import { backupVolumes } from '../../volumes/backup-volumes.ts';
import { checkVolumeName, requireVolume } from '../../docker/volumes.ts';
import { excludedPath, parsePatternFile } from '../../engine/tree/path-filter.ts';
import { readAhead } from '../../engine/archive/read-ahead.ts';
import { compilePatterns } from '../../engine/tree/path-pattern.ts';
import type { Repository } from '../../engine/repo/repository.ts';
import type { VersionSummary } from '../../engine/repo/version-file.ts';
import { checkStackName } from '../../docker/compose.ts';
import { backupStack, backupStackPerVolume, perVolumeBackupName, planStackBackup } from '../../services/stack-backup.ts';

/** Folder entries walked ahead while unlocking (a few MiB of metadata at most), and once the backup takes them. */
const READ_AHEAD_ENTRIES = 16384;
const READ_AHEAD_STEADY = 256;

export const backupCommand: Command = {
  name: 'backup',
  summary: 'back up Docker volumes (or a folder) as a new version of a backup',
  usage:
    'dvom backup (--volume=NAME [--volume=NAME…] | --stack=NAME [--per-volume] | --path=DIR) --name=BACKUP [--encrypt]\n' +
    '            [--password=P | --key-file=F] [--stop-containers=NAME,…] [--force-read] [--exclude=PATTERN…] [--exclude-file=F…] [--quiet]\n' +
    '  --stack         every volume of a Docker Compose project, as one version of BACKUP; its running containers are\n' +
    '                  stopped (dependents first) and started again (dependencies first) whatever happens\n' +
    '  --per-volume    with --stack: one backup per volume instead, named BACKUP-VOLUME\n' +
    '  --force-read    read every file, even those unchanged since the last version (which are otherwise reused)\n' +
    '  --exclude       leave out what matches (a folder with everything below it); relative to each volume\'s (or the\n' +
    '                  folder\'s) root: * and ? within a name, ** across folders, a leading / anchors at that root\n' +
    '  --exclude-file  patterns from a file, one per line (# comments). The patterns are recorded, encrypted, in the version.\n' +
    'Example: dvom backup --volume=pgdata --name=db --encrypt --exclude=\'*.tmp\' --exclude=/pg_wal',
  options: {
    ...COMMON_OPTIONS,
    ...CREDENTIAL_OPTIONS,
    path: { type: 'string' },
    volume: { type: 'string', multiple: true },
    stack: { type: 'string' },
    'per-volume': { type: 'boolean' },
    name: { type: 'string' },
    encrypt: { type: 'boolean' },
    'force-read': { type: 'boolean' },
    'stop-containers': { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
    'exclude-file': { type: 'string', multiple: true },
  },
  positionals: [0, 0],
  async run(ctx) {
    const dir = str(ctx.values, 'path');
    const volumes = listOption(ctx.values.volume);
    const name = str(ctx.values, 'name');
    const stack = str(ctx.values, 'stack');
    if (ctx.values['per-volume'] === true && stack === undefined) throw usageError('--per-volume goes with --stack');
    if (stack !== undefined) {
      if (dir || volumes.length) throw usageError('use one of --volume, --stack or --path');
      if (listOption(ctx.values['stop-containers']).length) throw usageError('--stack stops the stack\'s running containers itself: leave out --stop-containers');
      if (!name) throw usageError('--name=NAME is required (the backup to add a version to)');
      return backUpStack(ctx, checkStackName(stack), name, exclusions(ctx.values));
    }
    if (!dir && !volumes.length) throw usageError('--volume=NAME (a Docker volume) or --path=DIR (a folder) is required');
    if (dir && volumes.length) throw usageError('use either --volume or --path, not both');
    if (!name) throw usageError('--name=NAME is required (the backup to add a version to)');
    const stopContainers = listOption(ctx.values['stop-containers']);
    if (dir && stopContainers.length) throw usageError('--stop-containers goes with --volume');
    const exclude = exclusions(ctx.values);
    let docker: Docker | undefined;
    let source: string | undefined;
    if (dir) {
      const st = await stat(dir).catch(() => undefined);
      if (!st?.isDirectory()) throw new DvomError('NOT_FOUND', `folder '${dir}' does not exist or is not a folder`);
      source = path.resolve(dir);
    } else {
      docker = await dockerFor(ctx);
      for (const volume of volumes) await requireVolume(docker, checkVolumeName(volume));
    }
    // A folder is walked from here on, while the backup is unlocked; the clock is read first, as the
    // files cache's racy-timestamp rule wants the time before any file was looked at.
    const sourceClockMs = Date.now();
    const entries = source === undefined ? undefined : readAhead(folderSource(source, {
      onWarning: (m) => ctx.output.warn(m),
      ...(exclude.length ? { skip: excludedPath(exclude) } : {}),
    }), READ_AHEAD_ENTRIES, READ_AHEAD_STEADY);
    let opened;
    try {
      opened = await openOrCreate(ctx, name, ctx.values.encrypt === true);
    } catch (err) {
      await entries?.return(undefined);
      throw err;
    }
    const { repo, created } = opened;
    const bar = progressBar(ctx.output.interactive, `backup ${name}`);
    const runBackup = async () => {
      if (docker) {
        return backupVolumes(repo, docker, {
          volumes,
          stopContainers,
          forceRead: ctx.values['force-read'] === true,
          origin: { kind: 'cli' },
          ...(exclude.length ? { exclude } : {}),
          signal: ctx.signal,
          log: logTo(ctx.output),
          ...(bar.listener ? { onProgress: bar.listener } : {}),
        });
      } else {
        return backup(repo, entries!, {
          sourceKind: 'path',
          sourceClockMs,
          ...(exclude.length ? { exclusions: exclude } : {}),
          sourcePath: source!,
          origin: { kind: 'cli' },
          countSource: () => folderSize(source!),
          forceRead: ctx.values['force-read'] === true,
          signal: ctx.signal,
          ...(bar.listener ? { onProgress: bar.listener } : {}),
        });
      }
    };
    let version;
    try {
      version = await firstBackupOrUndo(ctx.store(), repo, created, () => runBackup(), { warn: ctx.output.warn });
    } finally {
      bar.done();
      await entries?.return(undefined); // a backup that failed before its first entry leaves the walk running
    }
    reportVersion(ctx, name, repo, version);
  },
};

function reportVersion(ctx: CommandContext, name: string, repo: Repository, version: VersionSummary): void {
  const s = version.stats;
  ctx.output.info(
    `Created version ${version.id} of backup '${name}'${repo.config.encrypted ? ' (encrypted)' : ''}: ` +
      `${s.files} files, ${formatBytes(s.bytes)}; new data ${formatBytes(s.addedBytes)}, ` +
      `stored ${formatBytes(s.addedStoredBytes)}, in ${formatDuration(s.durationMs / 1000)}`,
  );
  ctx.output.out(version.id);
}

/** --stack: the stack's volumes as one version of `name`, or (--per-volume) one backup per volume. */
async function backUpStack(ctx: CommandContext, stack: string, name: string, exclude: string[]): Promise<void> {
  const docker = await dockerFor(ctx);
  const plan = await planStackBackup(docker, stack);
  ctx.output.info(`Stack '${stack}': volumes ${plan.volumes.join(', ')}; containers to stop: ${plan.stopOrder.join(', ') || 'none running'}`);
  const encrypt = ctx.values.encrypt === true;
  const bar = progressBar(ctx.output.interactive, `backup ${stack}`);
  const options = {
    forceRead: ctx.values['force-read'] === true,
    ...(exclude.length ? { exclude } : {}),
    signal: ctx.signal,
    log: logTo(ctx.output),
    origin: { kind: 'cli' } as const,
    ...(bar.listener ? { onProgress: bar.listener } : {}),
  };
  try {
    if (ctx.values['per-volume'] !== true) {
      const { repo, created } = await openOrCreate(ctx, name, encrypt);
      const version = await firstBackupOrUndo(ctx.store(), repo, created, () => backupStack(repo, docker, plan, options), { warn: ctx.output.warn });
      bar.done();
      return reportVersion(ctx, name, repo, version);
    }
    // Every backup is opened (passwords asked) before any container is stopped.
    const repos = new Map<string, { repo: Repository; created: boolean }>();
    for (const volume of plan.volumes) {
      const backup = perVolumeBackupName(name, volume);
      checkBackupName(backup);
      repos.set(volume, await openOrCreate(ctx, backup, encrypt));
    }
    const versions = await backupStackPerVolume(docker, plan, options, (volume, run) => {
      const { repo, created } = repos.get(volume)!;
      return firstBackupOrUndo(ctx.store(), repo, created, () => run(repo), { warn: ctx.output.warn });
    });
    bar.done();
    plan.volumes.forEach((volume, i) => reportVersion(ctx, perVolumeBackupName(name, volume), repos.get(volume)!.repo, versions[i]!));
  } finally {
    bar.done();
  }
}

/** --exclude patterns, then those of each --exclude-file; all checked before anything is read. */
function exclusions(values: Values): string[] {
  const patterns = strings(values, 'exclude');
  for (const file of strings(values, 'exclude-file')) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw usageError(`cannot read exclude file '${file}': ${(err as Error).message}`);
    }
    patterns.push(...parsePatternFile(text));
  }
  compilePatterns(patterns);
  return patterns;
}
