import { isDamaged, listBackups, overview, type BackupOverview } from '../../engine/index.ts';
import { versionsWithVerification } from '../../services/catalog.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, type Command } from '../command.ts';
import { listingUnlock } from '../open-backup.ts';
import { formatBytes, formatDate, formatTable } from '../../../shared/format.ts';

const JSON_OPTION = { json: { type: 'boolean' as const } };

function toJson(o: BackupOverview) {
  return {
    name: o.name,
    createdAt: o.createdAt,
    encrypted: o.encrypted,
    versions: o.versions,
    latestVersion: o.latest?.id ?? null,
    latestCreatedAt: o.latest?.createdAt ?? null,
    size: o.latest?.stats.bytes ?? 0,
    storedSize: o.storedBytes,
    volumes: o.volumes,
    type: o.sourceKind ?? null,
  };
}

export const listCommand: Command = {
  name: 'list',
  summary: 'list the backups in the store (no password needed)',
  usage: 'dvom list [--json]',
  options: { ...COMMON_OPTIONS, ...JSON_OPTION },
  positionals: [0, 0],
  async run(ctx) {
    const all = await listBackups(ctx.store());
    const backups = all.filter((b): b is BackupOverview => !isDamaged(b));
    const damaged = all.filter(isDamaged);
    if (ctx.values.json) {
      return void ctx.output.out(JSON.stringify([...backups.map(toJson), ...damaged.map((d) => ({ name: d.name, damaged: d.error }))], null, 2));
    }
    // A damaged backup must not hide the healthy ones: list it apart, with the reason.
    for (const d of damaged) ctx.output.warn(`backup '${d.name}' cannot be read: ${d.error}`);
    if (!all.length) return void ctx.output.out(`No backups in ${ctx.store().location}`);
    ctx.output.out(
      formatTable(
        ['BACKUP NAME', 'LATEST VERSION', 'SIZE', 'VERSIONS', 'ENCRYPTED', 'VOLUME'],
        backups.map((b) => [
          b.name,
          b.latest ? formatDate(b.latest.createdAt) : '-',
          b.latest ? formatBytes(b.latest.stats.bytes) : '-',
          String(b.versions),
          b.encrypted ? 'Yes' : 'No',
          b.volumes.join(',') || (b.sourceKind === 'path' ? '(folder)' : '-'),
        ]).concat(damaged.map((d) => [d.name, 'DAMAGED', '-', '-', '-', '-'])),
      ),
    );
    if (damaged.length) return 5;
  },
};

export const infoCommand: Command = {
  name: 'info',
  summary: 'show a backup: encryption, volumes, versions, sizes (no password needed)',
  usage: 'dvom info NAME [--json]',
  options: { ...COMMON_OPTIONS, ...JSON_OPTION },
  positionals: [1, 1],
  async run(ctx) {
    const o = await overview(ctx.store(), ctx.positionals[0]!);
    if (ctx.values.json) {
      return void ctx.output.out(JSON.stringify({ ...toJson(o), kdf: o.kdf ?? null, totalVersionBytes: o.totalVersionBytes }, null, 2));
    }
    const dedup = o.storedBytes > 0 ? (o.totalVersionBytes / o.storedBytes).toFixed(2) + 'x' : '-';
    const lines = [
      `Backup: ${o.name}`,
      `Created: ${formatDate(o.createdAt)}`,
      `Size: ${o.latest ? formatBytes(o.latest.stats.bytes) : '-'}`,
      `Type: ${o.sourceKind === 'volume' ? 'volume' : o.sourceKind === 'path' ? 'folder' : '-'}`,
      `Encrypted: ${o.encrypted}`,
      ...(o.kdf ? [`Key derivation: ${o.kdf}`] : []),
      `Volumes: ${o.volumes.length}`,
      ...o.volumes.map((v) => `  - ${v}`),
      `Versions: ${o.versions}`,
      `Latest version: ${o.latest ? `${o.latest.id} (${formatDate(o.latest.createdAt)})` : '-'}`,
      `Stored size: ${formatBytes(o.storedBytes)}`,
      `Dedup ratio: ${dedup} (all versions' data / stored)`,
    ];
    ctx.output.out(lines.join('\n'));
  },
};

export const versionsCommand: Command = {
  name: 'versions',
  summary: 'list the versions of a backup (no password needed; with one at hand, its records are checked)',
  usage: 'dvom versions NAME [--json] [--password=P | --key-file=F]',
  options: { ...COMMON_OPTIONS, ...CREDENTIAL_OPTIONS, ...JSON_OPTION },
  positionals: [1, 1],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const versions = await versionsWithVerification(ctx.store(), name, listingUnlock(ctx));
    if (versions.some((v) => !v.checked)) {
      ctx.output.warn(
        `backup '${name}' is encrypted and no password or key is at hand: its versions and verified dates are listed unchecked ` +
          '(set DVOM_PASSWORD, use --key-file, or remember the password to check them)',
      );
    }
    if (ctx.values.json) {
      const rows = versions.map(({ root: _r, private: _p, exclusions: _e, ...v }) => v); // encrypted parts mean nothing here
      return void ctx.output.out(JSON.stringify(rows, null, 2));
    }
    if (!versions.length) return void ctx.output.out(`Backup '${name}' has no versions yet`);
    ctx.output.out(
      formatTable(
        ['VERSION', 'CREATED', 'FILES', 'SIZE', 'ADDED', 'VERIFIED', 'VOLUMES', 'ENGINE'],
        versions.map((v) => [
          v.id,
          formatDate(v.createdAt),
          String(v.stats.files),
          formatBytes(v.stats.bytes),
          formatBytes(v.stats.addedStoredBytes),
          v.verifiedAt ? formatDate(v.verifiedAt) + (v.checked ? '' : ' (unchecked)') : 'never',
          v.volumes.join(',') || '-',
          // Encrypted backups keep it in the private part: listed without a password, it is unknown.
          v.engine ? `${v.engine.name} (${v.engine.host})` : '-',
        ]),
      ),
    );
  },
};
