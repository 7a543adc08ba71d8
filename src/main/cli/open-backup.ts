import { DvomError, isDvomError, Repository, readRepoConfig, type Credential } from '../engine/index.ts';
export { scryptFromEnv } from '../config/scrypt-env.ts';
import type { CommandContext } from './command.ts';
import { passwordAccount } from '../secrets/accounts.ts';
import { getCredential, type CredentialFlags, type FoundCredential } from './credentials.ts';

/** Stores a password in the keychain when --remember-password was given; a missing keychain only warns. */
export async function rememberIfAsked(ctx: CommandContext, backup: string, found: FoundCredential): Promise<void> {
  if (ctx.values['remember-password'] !== true) return;
  if (found.credential.kind !== 'password') {
    ctx.output.warn('--remember-password stores passwords only; a raw key is not stored');
    return;
  }
  try {
    await ctx.secrets.set('backup-password', passwordAccount(ctx.store().location, backup), found.credential.password);
    ctx.output.info(`Password of backup '${backup}' remembered in the ${ctx.secrets.name}`);
  } catch (err) {
    ctx.output.warn(`could not remember the password: ${(err as Error).message}`);
  }
}

export function credentialFor(ctx: CommandContext, backup: string, extra: { confirm?: boolean; skipKeychain?: boolean } = {}) {
  return getCredential(ctx.values as CredentialFlags, ctx.output, {
    backup,
    storeLocation: ctx.store().location,
    secrets: ctx.secrets,
    ...extra,
  });
}

/** Opens a backup, asking for its password only if it is encrypted. */
export async function openBackup(ctx: CommandContext, name: string): Promise<Repository> {
  const config = await readRepoConfig(ctx.store(), name);
  if (!config.encrypted) {
    if (ctx.values['remember-password']) ctx.output.warn(`backup '${name}' is not encrypted: there is no password to remember`);
    return Repository.open(ctx.store(), name);
  }
  let found = await credentialFor(ctx, name);
  let repo: Repository;
  try {
    repo = await Repository.open(ctx.store(), name, found.credential);
  } catch (err) {
    if (!(isDvomError(err, 'WRONG_PASSWORD') && found.source === 'keychain')) throw err;
    // The remembered password is out of date (changed elsewhere): ask, or say how to fix it.
    if (!process.stdin.isTTY) {
      throw new DvomError('WRONG_PASSWORD', `${err.message} (the password remembered in the keychain is wrong; run: dvom forget-password ${name})`);
    }
    ctx.output.warn('the password remembered in the keychain is wrong');
    found = await credentialFor(ctx, name, { skipKeychain: true });
    repo = await Repository.open(ctx.store(), name, found.credential);
  }
  await rememberIfAsked(ctx, name, found);
  return repo;
}

/** Updates a remembered password after `dvom passwd` (else the next run would fail). */
export async function updateRememberedPassword(ctx: CommandContext, backup: string, credential: Credential): Promise<void> {
  if (credential.kind !== 'password') return;
  const account = passwordAccount(ctx.store().location, backup);
  try {
    if (await ctx.secrets.get('backup-password', account)) await ctx.secrets.set('backup-password', account, credential.password);
  } catch {
    // No keychain: nothing was remembered.
  }
}
