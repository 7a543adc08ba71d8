import { Writable } from 'node:stream';
import { formatBytes, formatDate } from '../../../shared/format.ts';
import { diffVersions, dumpPath, findInVersions, listVersion, type ChangeRow } from '../../services/browse.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, type Command } from '../command.ts';
import { longLine, printable } from '../entry-format.ts';
import { openBackup } from '../open-backup.ts';

/** ls, diff, dump, find: one file (or a few) out of a backup, without restoring it all. */

const JSON_OPTION = { json: { type: 'boolean' as const } };

/** A result line on stdout, waiting when the reader is slower than the listing (memory stays flat on any platform). */
function writeLine(text: string): Promise<void> | void {
  if (process.stdout.write(`${text}\n`)) return;
  return new Promise((resolve) => {
    // A closed stdout never drains: dvom.ts cancels the command then (the walk checks the signal).
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('close', done);
      process.stdout.off('error', done);
      resolve();
    };
    process.stdout.on('drain', done);
    process.stdout.on('close', done);
    process.stdout.on('error', done);
  });
}
const VERSION_OPTION = { version: { type: 'string' as const } };

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list the files of a version: mode, owner, size, mtime, name',
  usage:
    'dvom ls BACKUP [PATH] [--version=ID] [--json]\n' +
    '  PATH     list this file or folder and everything below it (default: the whole version, from /)\n' +
    '  --version=ID   a version id or unique prefix (default: latest)\n' +
    '  --json   one JSON object per line (path, type, mode, uid, gid, user, group, size, mtime, linkTarget)\n' +
    'Paths start at the version\'s root; in a volume backup each volume is a folder there (/pgdata/…).\n' +
    'Example: dvom ls mydata /pgdata/base --version=20240627',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, ...JSON_OPTION, ...VERSION_OPTION },
  positionals: [1, 2],
  async run(ctx) {
    const [name, path] = ctx.positionals as [string, string | undefined];
    const repo = await openBackup(ctx, name);
    const json = ctx.values.json === true;
    const { version, exclusions } = await listVersion(repo, str(ctx.values, 'version'), path, (row) => writeLine(json ? JSON.stringify(row) : longLine(row)), {
      signal: ctx.signal,
    });
    const excluded = exclusions.length ? `; backed up with --exclude ${exclusions.map((p) => `'${printable(p)}'`).join(' ')}` : '';
    ctx.output.info(`(version ${version.id} of backup '${name}', ${formatDate(version.createdAt)}${excluded})`);
  },
};

function changeLine(r: ChangeRow): string {
  const name = printable(r.type === 'dir' ? `${r.path}/` : r.path);
  const isFile = r.type === 'file';
  const size =
    r.change === '+' ? (isFile ? `  (${formatBytes(r.size)})` : '')
      : r.change === '-' ? (r.oldSize ? `  (${formatBytes(r.oldSize)})` : '')
        : r.change === 'M' ? `  (${formatBytes(r.oldSize ?? 0)} -> ${formatBytes(r.size)})` : '';
  return `${r.change}  ${name}${size}`;
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'what changed between two versions: added, removed and changed paths with sizes',
  usage:
    'dvom diff BACKUP V1 V2 [--metadata] [--json]\n' +
    '  V1, V2       version ids or unique prefixes, or latest\n' +
    '  --metadata   also list entries whose mode, owner or mtime changed (U)\n' +
    '  --json       one JSON object per line, then a summary line\n' +
    'Lines: + added, - removed, M changed (content, type or link target), U metadata only.\n' +
    'Example: dvom diff mydata 20240626 latest',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, ...JSON_OPTION, metadata: { type: 'boolean' } },
  positionals: [3, 3],
  async run(ctx) {
    const [name, v1, v2] = ctx.positionals as [string, string, string];
    const repo = await openBackup(ctx, name);
    const json = ctx.values.json === true;
    const s = await diffVersions(repo, v1, v2, (row) => writeLine(json ? JSON.stringify(row) : changeLine(row)), {
      signal: ctx.signal,
      metadata: ctx.values.metadata === true,
    });
    if (json) {
      const { from, to, ...counts } = s;
      return void ctx.output.out(JSON.stringify({ summary: { from: from.id, to: to.id, ...counts } }));
    }
    ctx.output.out(
      [
        `${s.from.id} -> ${s.to.id}:`,
        `  added:   ${s.added.entries} entries, ${formatBytes(s.added.bytes)}`,
        `  removed: ${s.removed.entries} entries, ${formatBytes(s.removed.bytes)}`,
        `  changed: ${s.changed.entries} entries, ${formatBytes(s.changed.oldBytes)} -> ${formatBytes(s.changed.bytes)}`,
        ...(ctx.values.metadata ? [`  metadata only: ${s.metadata} entries`] : []),
      ].join('\n'),
    );
  },
};

/** process.stdout as a stream the dump may end without closing the real stdout. */
function stdoutSink(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      process.stdout.write(chunk, callback);
    },
    final(callback) {
      callback();
    },
  });
}

export const dumpCommand: Command = {
  name: 'dump',
  summary: 'write one file of a version to stdout (a folder: as a tar stream)',
  usage:
    'dvom dump BACKUP PATH [--version=ID]\n' +
    '  The content is checked against its SHA-256 as it streams; a folder (or /) comes out as a tar archive.\n' +
    'Examples: dvom dump mydata /pgdata/postgresql.conf > postgresql.conf\n' +
    '          dvom dump mydata /pgdata/base --version=20240627T0230 | tar -x',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, ...VERSION_OPTION },
  positionals: [2, 2],
  async run(ctx) {
    const [name, path] = ctx.positionals as [string, string];
    const repo = await openBackup(ctx, name);
    const sink = stdoutSink();
    // Its errors (a closed stdout) reach the dump through its writes; this only keeps them from being unhandled.
    sink.on('error', () => undefined);
    const { version, kind } = await dumpPath(repo, str(ctx.values, 'version'), path, sink, { signal: ctx.signal });
    ctx.output.info(`(${kind === 'tar' ? 'tar stream of' : 'file'} ${printable(path)}, version ${version.id} of backup '${name}')`);
  },
};

export const findCommand: Command = {
  name: 'find',
  summary: 'which versions hold paths matching a pattern',
  usage:
    'dvom find BACKUP PATTERN [--json]\n' +
    '  PATTERN: * and ? within a name, ** across folders, [a-z] classes; a leading / anchors it at the root,\n' +
    '  otherwise it matches at any depth (quote it so the shell does not expand it).\n' +
    'Example: dvom find mydata \'*.conf\'   ·   dvom find mydata \'/pgdata/**/pg_hba.conf\'',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, ...JSON_OPTION },
  positionals: [2, 2],
  async run(ctx) {
    const [name, pattern] = ctx.positionals as [string, string];
    const repo = await openBackup(ctx, name);
    const json = ctx.values.json === true;
    let current: string | undefined;
    const found = await findInVersions(
      repo,
      pattern,
      (version, row) => {
        if (json) return writeLine(JSON.stringify({ version: version.id, createdAt: version.createdAt, ...row }));
        if (current !== version.id) {
          current = version.id;
          void writeLine(`Version ${version.id} (${formatDate(version.createdAt)}):`);
        }
        return writeLine(`  ${longLine(row)}`);
      },
      { signal: ctx.signal },
    );
    if (!found.matches) {
      ctx.output.info(`No version of backup '${name}' has a path matching '${printable(pattern)}'`);
      return 4;
    }
    ctx.output.info(`${found.matches} matching entries in ${found.versions} version(s)`);
  },
};
