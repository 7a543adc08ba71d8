import { readFileSync } from 'node:fs';
import { parseRawKey, usageError } from '../../engine/index.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, type Command, type CommandContext } from '../command.ts';
import { askPassword } from '../credentials.ts';
import { formatDate, formatTable } from '../../../shared/format.ts';
import { openBackup } from '../open-backup.ts';
import { addKey, removeKey } from '../../services/keys.ts';
import { changeCredential } from '../../services/passwords.ts';
import type { Credential } from '../../engine/index.ts';

const NEW_PASSWORD_OPTIONS = { 'new-password-file': { type: 'string' as const } };

/** The new password: DVOM_NEW_PASSWORD, a file, or a prompt with confirmation. */
async function newPassword(ctx: CommandContext): Promise<Credential> {
  const file = str(ctx.values, 'new-password-file');
  let password: string | undefined;
  if (file) {
    password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } else if (process.env.DVOM_NEW_PASSWORD !== undefined) {
    password = process.env.DVOM_NEW_PASSWORD;
  } else if (process.stdin.isTTY) {
    password = await askPassword('New password: ', true);
  }
  if (!password) throw usageError('a new password is needed: set DVOM_NEW_PASSWORD, use --new-password-file, or run in a terminal');
  return { kind: 'password', password };
}

export const passwdCommand: Command = {
  name: 'passwd',
  summary: "change a backup's password (rewrites only its key file)",
  usage: 'dvom passwd NAME [--password=OLD | --key-file=F] [--new-password-file=F]   (or DVOM_NEW_PASSWORD)',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, ...NEW_PASSWORD_OPTIONS },
  positionals: [1, 1],
  async run(ctx) {
    const repo = await openBackup(ctx, ctx.positionals[0]!);
    const credential = await newPassword(ctx);
    await changeCredential(repo, credential, { secrets: ctx.secrets, store: ctx.store(), warn: ctx.output.warn });
    ctx.output.out(`Password of backup '${repo.name}' changed`);
  },
};

export const keyCommand: Command = {
  name: 'key',
  summary: 'list, add or remove the passwords and keys of a backup',
  usage: 'dvom key list NAME | dvom key add NAME [--new-key-file=F] | dvom key remove NAME KEY-ID',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, ...NEW_PASSWORD_OPTIONS, 'new-key-file': { type: 'string' } },
  positionals: [2, 3],
  async run(ctx) {
    const [action, name, keyId] = ctx.positionals as [string, string, string | undefined];
    if (!['list', 'add', 'remove'].includes(action)) throw usageError(`unknown key action '${action}' (list, add or remove)`);
    const repo = await openBackup(ctx, name);
    if (action === 'list') {
      const keys = await repo.listKeys();
      ctx.output.out(formatTable(['ID', 'KIND', 'CREATED', 'LABEL'], keys.map((k) => [
        (k.current ? '*' : ' ') + k.id, k.kind, formatDate(k.createdAt), k.label,
      ])));
      return;
    }
    if (action === 'add') {
      const keyFile = str(ctx.values, 'new-key-file');
      let credential: Credential;
      if (keyFile) {
        credential = { kind: 'raw-key', key: parseRawKey(readFileSync(keyFile, 'utf8'), `key file '${keyFile}'`) };
      } else {
        credential = await newPassword(ctx);
      }
      const added = await addKey(repo, credential, ctx.store(), ctx.output.warn);
      ctx.output.out(`Added key ${added.id} to backup '${name}'`);
      return;
    }
    if (!keyId) throw usageError('dvom key remove NAME KEY-ID: which key? (see dvom key list NAME)');
    await removeKey(repo, keyId, ctx.store());
    ctx.output.out(`Removed key ${keyId} from backup '${name}'`);
  },
};
