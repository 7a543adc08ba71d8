import { DvomError } from '../../engine/index.ts';
import { describeLock, unlockBackup } from '../../services/locks.ts';
import { COMMON_OPTIONS, type Command } from '../command.ts';

export const unlockCommand: Command = {
  name: 'unlock',
  summary: 'remove the stale locks of a backup (--force: live ones too)',
  usage: 'dvom unlock NAME [--force]',
  options: { ...COMMON_OPTIONS, force: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const force = ctx.values.force === true;
    const { removed, live } = await unlockBackup(ctx.store(), name, { force });
    for (const lock of removed) {
      if (lock.stale) ctx.output.info(`Removed stale lock of ${describeLock(lock)}`);
      else ctx.output.warn(`removed the live lock of ${describeLock(lock)}: if that process is still running, stop it; a prune now could delete what it writes`);
    }
    if (live.length) {
      throw new DvomError(
        'LOCKED',
        `backup '${name}' is still locked by ${live.map(describeLock).join('; ')}; ` +
          `if that process is gone for good (a host that no longer runs it), remove the lock with: dvom unlock ${name} --force`,
      );
    }
    ctx.output.out(removed.length ? `Backup '${name}': ${removed.length} lock(s) removed` : `Backup '${name}' is not locked`);
  },
};
