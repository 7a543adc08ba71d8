import {
  RETENTION_RULES,
  deleteVersion,
  forget,
  prune,
  usageError,
  type PruneReport,
  type RetentionPolicy,
} from '../../engine/index.ts';
import { DvomError, parseOriginOption } from '../../engine/index.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, type Command, type OptionSpec } from '../command.ts';
import { formatBytes, formatDate } from '../../../shared/format.ts';
import { openBackup } from '../open-backup.ts';
import { verifyBackup } from '../../services/checks.ts';
import { deleteWholeBackup } from '../../services/backup-identity.ts';
import { progressBar } from '../progress-bar.ts';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a backup is intact (--read-data: decrypt and check every byte)',
  usage: 'dvom verify NAME [--read-data] [--password=P | --key-file=F]',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, 'read-data': { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx) {
    const repo = await openBackup(ctx, ctx.positionals[0]!, { threads: ctx.values['read-data'] === true });
    const bar = progressBar(ctx.output.interactive, `verify ${repo.name}`);
    let report;
    try {
      report = await verifyBackup(repo, { readData: ctx.values['read-data'] === true, signal: ctx.signal, ...(bar.listener ? { onProgress: bar.listener } : {}) });
    } finally {
      bar.done();
    }
    for (const note of report.notes) ctx.output.info(`Note: ${note}`);
    const summary = `${report.versions} versions, ${report.packs} packs, ${report.blobs} blobs` +
      (ctx.values['read-data'] ? `, ${formatBytes(report.bytesRead)} read and checked` : '');
    if (report.errors.length) {
      for (const e of report.errors) process.stderr.write(`Error: ${e}\n`);
      throw new DvomError('INTEGRITY', `backup '${repo.name}' is damaged: ${report.errors.length} problem(s) found (${summary})`);
    }
    ctx.output.out(`Backup '${repo.name}' is intact: ${summary}`);
  },
};

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a whole backup, or one version of it',
  usage: 'dvom delete NAME [--version=ID] --force',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, version: { type: 'string' }, force: { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const versionRef = str(ctx.values, 'version');
    if (ctx.values.force !== true) {
      const what = versionRef ? `version ${versionRef} of backup '${name}'` : `backup '${name}' with all its versions`;
      throw usageError(`this deletes ${what} for good; add --force to confirm`);
    }
    if (!versionRef) {
      const removed = await deleteWholeBackup(ctx.store(), name);
      ctx.output.out(`Deleted backup '${name}' (${removed} objects)`);
      return;
    }
    const repo = await openBackup(ctx, name);
    const { version, pruned } = await deleteVersion(repo, versionRef);
    ctx.output.out(`Deleted version ${version.id} of backup '${name}'; freed ${formatBytes(pruned.bytesFreed)}`);
  },
};

const KEEP_OPTIONS: OptionSpec = Object.fromEntries(RETENTION_RULES.map((r) => [`keep-${r}`, { type: 'string' as const }]));

export const forgetCommand: Command = {
  name: 'forget',
  summary: 'remove versions a retention policy does not keep',
  usage: 'dvom forget NAME [--keep-last=N] [--keep-hourly=N] [--keep-daily=N] [--keep-weekly=N] [--keep-monthly=N] [--keep-yearly=N] [--origin=manual|cli|unknown|schedule:NAME] [--prune] [--dry-run]\n' +
    '  --origin: the rules see only the versions made that way (by hand in the app, by `dvom backup`, before origins\n' +
    '  were recorded, or by one schedule); every other version stays',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, ...KEEP_OPTIONS, prune: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, origin: { type: 'string' } },
  positionals: [1, 1],
  async run(ctx) {
    const policy: RetentionPolicy = {};
    for (const rule of RETENTION_RULES) {
      const raw = str(ctx.values, `keep-${rule}`);
      if (raw === undefined) continue;
      if (!/^\d+$/.test(raw)) throw usageError(`--keep-${rule} must be a whole number, got '${raw}'`);
      policy[rule] = Number(raw);
    }
    const origin = str(ctx.values, 'origin');
    const only = origin === undefined ? undefined : parseOriginOption(origin);
    const repo = await openBackup(ctx, ctx.positionals[0]!);
    const dryRun = ctx.values['dry-run'] === true;
    const result = await forget(repo, policy, { prune: ctx.values.prune === true, dryRun, ...(only ? { only } : {}) });
    for (const { version, reasons } of result.decision.keep) {
      ctx.output.out(`keep    ${version.id}  ${formatDate(version.createdAt)}  (${reasons.join(', ')})`);
    }
    for (const version of result.decision.remove) {
      const held = result.held.find((h) => h.version === version);
      if (held) ctx.output.out(`held    ${version.id}  ${formatDate(version.createdAt)}  (S3 Object Lock until ${formatDate(held.until.toISOString())}; a later forget removes it)`);
      else ctx.output.out(`${dryRun ? 'would remove' : 'remove '} ${version.id}  ${formatDate(version.createdAt)}`);
    }
    if (result.pruned) ctx.output.info(`Pruned: freed ${formatBytes(result.pruned.bytesFreed)}${heldNote(result.pruned)}`);
  },
};

/** What prune could not delete yet in append-only mode, and until when. */
function heldNote(report: PruneReport): string {
  const renewed = report.holdsRenewed ? `; holds of ${report.holdsRenewed} objects still in use renewed` : '';
  if (!report.packsHeld && !report.indexFilesHeld) return renewed;
  const until = report.heldUntil ? ` until ${formatDate(report.heldUntil.toISOString())}` : '';
  return `; held by S3 Object Lock${until}, not deleted yet: ${report.packsHeld} unused packs, ${report.indexFilesHeld} old index files (a later prune removes them)${renewed}`;
}

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove data no version references',
  usage: 'dvom prune NAME',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS },
  positionals: [1, 1],
  async run(ctx) {
    const repo = await openBackup(ctx, ctx.positionals[0]!);
    const report = await prune(repo);
    ctx.output.out(
      `Pruned backup '${repo.name}': ${report.packsDeleted} packs deleted, ${report.packsRepacked} repacked, ` +
        `${formatBytes(report.bytesFreed)} freed` +
        (report.packsSpared ? `; ${report.packsSpared} recent unreferenced packs kept (a backup may still be writing them; a later prune removes them)` : '') +
        heldNote(report),
    );
  },
};
