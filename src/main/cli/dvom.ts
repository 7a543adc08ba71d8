#!/usr/bin/env node
// First: sizes libuv's pool before anything uses it.
import '../platform/thread-pool.ts';
import { parseArgs } from 'node:util';
import { DvomError } from '../engine/index.ts';
import { readConfig } from '../config/config-file.ts';
import { openStore } from '../config/open-store.ts';
import { OsKeychain } from '../secrets/secret-store.ts';
import { describeError } from '../services/errors.ts';
import { DVOM_VERSION } from '../version.ts';
import { COMMON_OPTIONS, namedStoreSelection, str, type Command, type Values } from './command.ts';
import { consoleOutput } from './output.ts';

/**
 * The commands, each loaded only when run: a command's modules (the app
 * server, the scheduler, the config schemas) cost memory and start-up time
 * that the others need not pay. Help loads them all.
 */
const COMMANDS: [name: string, load: () => Promise<Command>][] = [
  ['volumes', async () => (await import('./commands/volumes.ts')).volumesCommand],
  ['backup', async () => (await import('./commands/backup.ts')).backupCommand],
  ['restore', async () => (await import('./commands/restore.ts')).restoreCommand],
  ['list', async () => (await import('./commands/list.ts')).listCommand],
  ['info', async () => (await import('./commands/list.ts')).infoCommand],
  ['versions', async () => (await import('./commands/list.ts')).versionsCommand],
  ['ls', async () => (await import('./commands/files.ts')).lsCommand],
  ['diff', async () => (await import('./commands/files.ts')).diffCommand],
  ['dump', async () => (await import('./commands/files.ts')).dumpCommand],
  ['find', async () => (await import('./commands/files.ts')).findCommand],
  ['stats', async () => (await import('./commands/stats.ts')).statsCommand],
  ['verify', async () => (await import('./commands/maintenance.ts')).verifyCommand],
  ['delete', async () => (await import('./commands/maintenance.ts')).deleteCommand],
  ['forget', async () => (await import('./commands/maintenance.ts')).forgetCommand],
  ['prune', async () => (await import('./commands/maintenance.ts')).pruneCommand],
  ['unlock', async () => (await import('./commands/unlock.ts')).unlockCommand],
  ['recover', async () => (await import('./commands/recover.ts')).recoverCommand],
  ['passwd', async () => (await import('./commands/keys.ts')).passwdCommand],
  ['key', async () => (await import('./commands/keys.ts')).keyCommand],
  ['forget-password', async () => (await import('./commands/settings.ts')).forgetPasswordCommand],
  ['target', async () => (await import('./commands/settings.ts')).targetCommand],
  ['config', async () => (await import('./commands/settings.ts')).configCommand],
  // The composition root: the one CLI file that may reach up to serve (dvom serve hosts the app).
  ['serve', async () => (await import('../serve/serve-command.ts')).serveCommand],
  ['schedule', async () => (await import('./commands/schedule.ts')).scheduleCommand],
];

async function mainHelp(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map(([, load]) => load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'dvom: encrypted, deduplicated backups of Docker volumes and folders',
    '',
    'Usage: dvom COMMAND [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options:',
    '  --backup-dir=DIR  a local store (default: $DVOM_BACKUP_DIR, else the default target, else a per-user data folder)',
    '  --target=NAME     a storage target from the config (dvom target list)',
    '  --storage=s3 --s3-bucket=B [--s3-prefix=P] [--s3-endpoint=URL] [--s3-region=R] [--s3-path-style] [--s3-profile=P]',
    '                    an S3 store; credentials from the AWS SDK chain (env, profiles) or a target in the keychain',
    '  --context=NAME    the Docker engine: a docker CLI context (docker context ls); else DOCKER_HOST,',
    '                    DOCKER_CONTEXT, the engine picked in the app, the docker CLI\'s current context',
    '  --quiet, -q       no progress or messages, only results and errors',
    '  --help, -h        help for a command: dvom COMMAND --help',
    '',
    'Passwords: DVOM_PASSWORD or a prompt (preferred), --password (visible to other users), or a',
    'raw 32-byte base64 key with --key-file / DVOM_KEY.',
    'Exit codes: 0 ok, 1 error, 2 usage, 3 wrong password or key, 4 not found, 5 integrity failure.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`Usage: ${c.usage}`, '', c.summary].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await mainHelp()) + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`dvom ${DVOM_VERSION}\n`);
    return 0;
  }
  const load = COMMANDS.find(([n]) => n === name)?.[1];
  if (!load) {
    process.stderr.write(`Error: unknown command '${name}'\n\n${await mainHelp()}\n`);
    return 2;
  }
  const command = await load();
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n\n${commandHelp(command)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(command) + '\n');
    return 0;
  }
  const [min, max] = command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    process.stderr.write(`Error: wrong number of arguments\n\n${commandHelp(command)}\n`);
    return 2;
  }
  const output = consoleOutput(parsed.values.quiet === true);
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130); // second Ctrl-C: leave now
    output.info('\nCancelling… (press Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The reader of stdout went away (`dvom ls … | head`): stop the command, releasing its lock, and end quietly.
  let outputClosed = false;
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') return;
    outputClosed = true;
    controller.abort();
  };
  process.stdout.on('error', onStdoutError);
  try {
    const config = await readConfig();
    const secrets = new OsKeychain();
    const backend = command.needsStore === false ? undefined : await openStore(storeSelection(parsed.values), config, secrets);
    const code = await command.run({
      values: parsed.values,
      positionals: parsed.positionals,
      output,
      signal: controller.signal,
      config,
      secrets,
      store: () => {
        if (!backend) throw new Error(`command '${command.name}' has no store`);
        return backend;
      },
    });
    return code ?? 0;
  } catch (err) {
    if (outputClosed) return 0;
    return reportError(err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The store the command line asks for (see config/open-store.ts for the order). */
function storeSelection(values: Values) {
  const storage = str(values, 'storage');
  const s3Flags = ['s3-bucket', 's3-prefix', 's3-endpoint', 's3-region', 's3-profile'].some((f) => values[f] !== undefined);
  if (storage !== undefined && storage !== 's3' && storage !== 'local') {
    throw new DvomError('USAGE', `--storage must be 'local' or 's3', not '${storage}'`);
  }
  if (s3Flags && storage !== 's3') throw new DvomError('USAGE', '--s3-* options need --storage=s3');
  if (storage === 's3') {
    if (!str(values, 's3-bucket')) throw new DvomError('USAGE', '--storage=s3 needs --s3-bucket=BUCKET');
    const s3: Record<string, unknown> = {
      bucket: str(values, 's3-bucket'),
      prefix: str(values, 's3-prefix'),
      endpoint: str(values, 's3-endpoint'),
      region: str(values, 's3-region'),
      profile: str(values, 's3-profile'),
      pathStyle: values['s3-path-style'] === true ? true : undefined,
    };
    for (const k of Object.keys(s3)) if (s3[k] === undefined) delete s3[k];
    return { s3 };
  }
  return namedStoreSelection(values);
}

/** Prints an error (the same mapper as the API's) and returns its exit code. */
function reportError(err: unknown): number {
  const report = describeError(err);
  process.stderr.write(`Error: ${report.message}\n`);
  if (report.code === 'INTERNAL' && process.env.DVOM_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return report.exitCode;
}

process.exitCode = await main(process.argv.slice(2));
