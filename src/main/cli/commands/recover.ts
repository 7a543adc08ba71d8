import { recoverBackup } from '../../engine/index.ts';
import { COMMON_OPTIONS, type Command } from '../command.ts';

export const recoverCommand: Command = {
  name: 'recover',
  summary: 'append-only targets: undo deletes and overwrites of a backup from the versions S3 Object Lock holds',
  usage: 'dvom recover NAME --target=NAME',
  options: { ...COMMON_OPTIONS },
  positionals: [1, 1],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const report = await recoverBackup(ctx.store(), name);
    for (const key of report.restored) ctx.output.info(`put back ${key}`);
    if (report.unprotected.length) {
      ctx.output.warn(
        `${report.unprotected.length} object(s) were deleted or replaced but have no held version to go back to ` +
          `(written before append-only mode, after their hold ended, or by someone else): ${report.unprotected.slice(0, 10).join(', ')}` +
          `${report.unprotected.length > 10 ? ', …' : ''}; run dvom verify ${name}`,
      );
    }
    ctx.output.out(
      report.restored.length
        ? `Backup '${name}': ${report.restored.length} object(s) put back, ${report.removed} delete marker(s) or foreign version(s) removed`
        : `Backup '${name}': nothing was deleted or replaced`,
    );
  },
};
