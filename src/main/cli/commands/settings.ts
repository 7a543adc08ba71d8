import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { usageError } from '../../engine/index.ts';
import { configPath } from '../../config/config-file.ts';
import { TARGET_NAME, redactConfig, targetSchema } from '../../config/config-schema.ts';
import { describeTarget } from '../../config/targets.ts';
import { forgetPassword } from '../../services/passwords.ts';
import { removeNamedTarget, saveTarget, testTarget } from '../../services/targets.ts';
import { COMMON_OPTIONS, str, type Command } from '../command.ts';
import { formatTable } from '../../../shared/format.ts';

export const configCommand: Command = {
  name: 'config',
  summary: 'show the configuration (secrets hidden)',
  usage: 'dvom config',
  options: { ...COMMON_OPTIONS },
  positionals: [0, 0],
  needsStore: false,
  async run(ctx) {
    ctx.output.out(`# ${configPath()}\n${JSON.stringify(redactConfig(ctx.config), null, 2)}`);
  },
};

const TARGET_OPTIONS = {
  ...COMMON_OPTIONS,
  type: { type: 'string' as const },
  path: { type: 'string' as const },
  'access-key': { type: 'string' as const },
  'secret-stdin': { type: 'boolean' as const },
  default: { type: 'boolean' as const },
  'object-lock-days': { type: 'string' as const },
  'object-lock-mode': { type: 'string' as const },
};

export const targetCommand: Command = {
  name: 'target',
  summary: 'manage storage targets: add, list, remove, test',
  usage:
    'dvom target list\n' +
    '       dvom target add NAME --type=local --path=DIR [--default]\n' +
    '       dvom target add NAME --type=s3 --s3-bucket=B [--s3-prefix=P] [--s3-endpoint=URL] [--s3-region=R] [--s3-path-style]\n' +
    '                            [--s3-profile=P | --access-key=ID --secret-stdin]\n' +
    '                            [--object-lock-days=N [--object-lock-mode=compliance|governance]] [--default]\n' +
    '       dvom target remove NAME\n' +
    '       dvom target test NAME',
  options: TARGET_OPTIONS,
  positionals: [1, 2],
  needsStore: false,
  async run(ctx) {
    const [action, name] = ctx.positionals as [string, string | undefined];
    if (action === 'list') {
      const rows = Object.entries(ctx.config.targets).map(([n, t]) => [n + (ctx.config.defaultTarget === n ? ' *' : ''), t.type, describeTarget(t)]);
      ctx.output.out(rows.length ? formatTable(['NAME', 'TYPE', 'LOCATION'], rows) : 'No storage targets (the default local store is used)');
      return;
    }
    if (!name || !TARGET_NAME.test(name)) throw usageError(`dvom target ${action} NAME: a target name (letters, digits, '.', '_', '-')`);
    if (action === 'add') return addTarget(ctx, name);
    if (action === 'remove') {
      await removeNamedTarget(ctx.config, name, ctx.secrets);
      ctx.output.out(`Removed target '${name}' (its backups were not touched)`);
      return;
    }
    if (action === 'test') {
      const location = await testTarget(ctx.config, name, ctx.secrets);
      const target = ctx.config.targets[name];
      const lock = target?.type === 's3' && target.objectLock
        ? `; append-only: S3 Object Lock is enabled, new objects are held ${target.objectLock.days} days (${target.objectLock.mode})`
        : '';
      ctx.output.out(`Target '${name}' works: write, list, read and delete succeeded at ${location}${lock}`);
      return;
    }
    throw usageError(`unknown target action '${action}' (list, add, remove or test)`);
  },
};

/** --object-lock-days=N [--object-lock-mode=M]: append-only mode (checked again by the target schema). */
function objectLockFlags(v: Parameters<Command['run']>[0]['values']): { days: number; mode: 'compliance' | 'governance' } | undefined {
  const days = str(v, 'object-lock-days');
  const mode = str(v, 'object-lock-mode') ?? 'compliance';
  if (days === undefined) {
    if (v['object-lock-mode'] !== undefined) throw usageError('--object-lock-mode needs --object-lock-days=N');
    return undefined;
  }
  if (!/^[1-9]\d{0,4}$/.test(days)) throw usageError(`--object-lock-days: a whole number of days from 1 to 36500, got '${days}'`);
  if (mode !== 'compliance' && mode !== 'governance') throw usageError(`--object-lock-mode: compliance or governance, got '${mode}'`);
  return { days: Number(days), mode };
}

async function addTarget(ctx: Parameters<Command['run']>[0], name: string): Promise<void> {
  const v = ctx.values;
  const type = str(v, 'type') ?? (str(v, 's3-bucket') ? 's3' : 'local');
  const raw =
    type === 'local'
      ? { type, path: path.resolve(str(v, 'path') ?? '') }
      : {
          type,
          bucket: str(v, 's3-bucket'),
          prefix: str(v, 's3-prefix'),
          endpoint: str(v, 's3-endpoint'),
          region: str(v, 's3-region'),
          pathStyle: v['s3-path-style'] === true ? true : undefined,
          profile: str(v, 's3-profile'),
          accessKeyId: str(v, 'access-key'),
          objectLock: objectLockFlags(v),
        };
  if (type === 'local' && !str(v, 'path')) throw usageError('--path=DIR is required for a local target');
  if (type === 'local' && (v['object-lock-days'] !== undefined || v['object-lock-mode'] !== undefined)) {
    throw usageError('--object-lock-days and --object-lock-mode are for S3 targets (a local folder cannot hold objects)');
  }
  const parsed = targetSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usageError(`invalid target: ${issue.path.join('.')}: ${issue.message}`);
  }
  let secretAccessKey: string | undefined;
  if (parsed.data.type === 's3' && parsed.data.accessKeyId) {
    if (v['secret-stdin'] !== true) throw usageError('--access-key needs --secret-stdin (the secret key is read from standard input, never from the command line)');
    secretAccessKey = readFileSync(0, 'utf8').trim();
    if (!secretAccessKey) throw usageError('no secret key on standard input');
  }
  await saveTarget(name, parsed.data, { secretAccessKey, makeDefault: v.default === true, secrets: ctx.secrets });
  if (secretAccessKey) ctx.output.info(`Secret key stored in the ${ctx.secrets.name}`);
  ctx.output.out(`Added target '${name}': ${describeTarget(parsed.data)}`);
}

export const forgetPasswordCommand: Command = {
  name: 'forget-password',
  summary: "remove a backup's remembered password from the keychain",
  usage: 'dvom forget-password NAME',
  options: { ...COMMON_OPTIONS },
  positionals: [1, 1],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const removed = await forgetPassword(ctx.secrets, ctx.store(), name);
    ctx.output.out(removed ? `Forgot the password of backup '${name}'` : `No password of backup '${name}' was remembered`);
  },
};
