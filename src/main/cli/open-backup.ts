import type { Repository } from '../engine/index.ts';
import { rememberedPasswordWrong } from '../platform/detailed-error.ts';
import { listingUnlocker, type ListingUnlock } from '../services/catalog.ts';
import { createOrOpenBackup } from '../services/create-or-open.ts';
import { openBackup as openWithFinder, type CredentialFinder, type FoundCredential } from '../services/open-backup.ts';
import { rememberPassword } from '../services/passwords.ts';
import { usageError } from '../engine/index.ts';
import type { CommandContext } from './command.ts';
import { credentialAtHand, getCredential, type CredentialFlags } from './credentials.ts';

/** The CLI's side of opening a backup: where its credential comes from (see credentials.ts) and --remember-password. */

/** Stores a password in the keychain when --remember-password was given; a missing keychain only warns. */
async function rememberIfAsked(ctx: CommandContext, backup: string, found: FoundCredential | undefined): Promise<void> {
  if (ctx.values['remember-password'] !== true) return;
  if (!found) {
    ctx.output.warn(`backup '${backup}' is not encrypted: there is no password to remember`);
    return;
  }
  if (found.credential.kind !== 'password') {
    ctx.output.warn('--remember-password stores passwords only; a raw key is not stored');
    return;
  }
  try {
    await rememberPassword(ctx.secrets, ctx.store(), backup, found.credential.password);
    ctx.output.info(`Password of backup '${backup}' remembered in the ${ctx.secrets.name}`);
  } catch (err) {
    ctx.output.warn(`could not remember the password: ${(err as Error).message}`);
  }
}

function credentialFor(ctx: CommandContext, backup: string, extra: { confirm?: boolean; skipKeychain?: boolean } = {}) {
  return getCredential(ctx.values as CredentialFlags, ctx.output, { backup, store: ctx.store(), secrets: ctx.secrets, ...extra });
}

/** Flags, environment, keychain, then a prompt; a stale keychain password is asked again on a terminal, else explained. */
function cliFinder(ctx: CommandContext, backup: string): CredentialFinder {
  return {
    find: () => credentialFor(ctx, backup),
    atHand: () => credentialAtHand(ctx.values as CredentialFlags, ctx.output, { backup, store: ctx.store(), secrets: ctx.secrets }),
    async afterStaleKeychain(err) {
      if (!process.stdin.isTTY) {
        throw rememberedPasswordWrong(`${err.message} (the password remembered in the keychain is wrong; run: dvom forget-password ${backup})`);
      }
      ctx.output.warn('the password remembered in the keychain is wrong');
      return credentialFor(ctx, backup, { skipKeychain: true });
    },
  };
}

/** Opens a backup, asking for its password only if it is encrypted. `threads`: content is read next (see services' openBackup). */
export async function openBackup(ctx: CommandContext, name: string, options: { threads?: boolean } = {}): Promise<Repository> {
  const { repo, found } = await openWithFinder(ctx.store(), name, cliFinder(ctx, name), options);
  await rememberIfAsked(ctx, name, found);
  return repo;
}

/**
 * Opens the named backup, creating it on first use with the requested
 * encryption. `fromKeychain`: a new backup's password may be the remembered
 * one (a schedule's, confirmed when it was added) instead of a typed and
 * confirmed one.
 */
export async function openOrCreate(ctx: CommandContext, name: string, encrypt: boolean, options: { fromKeychain?: boolean } = {}): Promise<{ repo: Repository; created: boolean }> {
  const { repo, found, created } = await createOrOpenBackup(ctx.store(), name, {
    encrypt,
    finder: cliFinder(ctx, name),
    newCredential: () => credentialFor(ctx, name, { confirm: !options.fromKeychain }),
    beforeCreatePlain() {
      if (ctx.values.password !== undefined || ctx.values['key-file'] !== undefined) {
        throw usageError('a password or key was given but --encrypt was not: add --encrypt to create an encrypted backup');
      }
    },
    onCreateEncrypted: () => ctx.output.info(`Creating encrypted backup '${name}'`),
    refusalHint: ' (use a new --name)',
    warn: ctx.output.warn,
  });
  await rememberIfAsked(ctx, name, found);
  return { repo, created };
}

/** For listings: unlocks an encrypted backup with a credential at hand (flags, environment, keychain), never asking. */
export function listingUnlock(ctx: CommandContext): ListingUnlock {
  return listingUnlocker(ctx.store(), (backup) => cliFinder(ctx, backup));
}
