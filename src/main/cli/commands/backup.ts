import type Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { DvomError, backup, folderSize, folderSource, usageError } from '../../engine/index.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, strings, type Command, type Values } from '../command.ts';
import { formatBytes, formatDuration } from '../../../shared/format.ts';
import { openOrCreate } from '../open-backup.ts';
import { logTo } from '../output.ts';
import { firstBackupOrUndo } from '../../services/new-backup.ts';
import { progressBar } from '../progress-bar.ts';
import { dockerFor, listOption } from '../docker-session.ts';
import { backupVolumes } from '../../volumes/backup-volumes.ts';
import { checkVolumeName, requireVolume } from '../../docker/volumes.ts';
import { excludeSourceEntries, parsePatternFile } from '../../engine/tree/path-filter.ts';
import { compilePatterns } from '../../engine/tree/path-pattern.ts';

export const backupCommand: Command = {
  name: 'backup',
  summary: 'back up Docker volumes (or a folder) as a new version of a backup',
  usage:
    'dvom backup (--volume=NAME [--volume=NAME…] | --path=DIR) --name=BACKUP [--encrypt] [--password=P | --key-file=F]\n' +
    '            [--stop-containers=NAME,…] [--force-read] [--exclude=PATTERN…] [--exclude-file=F…] [--quiet]\n' +
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
    const { repo, created } = await openOrCreate(ctx, name, ctx.values.encrypt === true);
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
        const entries = folderSource(source!, { onWarning: (m) => ctx.output.warn(m) });
        return backup(repo, exclude.length ? excludeSourceEntries(entries, exclude) : entries, {
          sourceKind: 'path',
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
    }
    const s = version.stats;
    ctx.output.info(
      `Created version ${version.id} of backup '${name}'${repo.config.encrypted ? ' (encrypted)' : ''}: ` +
        `${s.files} files, ${formatBytes(s.bytes)}; new data ${formatBytes(s.addedBytes)}, ` +
        `stored ${formatBytes(s.addedStoredBytes)}, in ${formatDuration(s.durationMs / 1000)}`,
    );
    ctx.output.out(version.id);
  },
};

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
