import { lastBackupOfVolumes } from '../../engine/index.ts';
import { listVolumes } from '../../docker/volumes.ts';
import { COMMON_OPTIONS, type Command } from '../command.ts';
import { dockerFor } from '../docker-session.ts';
import { formatBytes, formatDate, formatTable } from '../../../shared/format.ts';

export const volumesCommand: Command = {
  name: 'volumes',
  summary: 'list Docker volumes with size, users and last backup',
  usage: 'dvom volumes [--json]',
  options: { ...COMMON_OPTIONS, json: { type: 'boolean' } },
  positionals: [0, 0],
  async run(ctx) {
    const docker = await dockerFor(ctx);
    const volumes = await listVolumes(docker);
    const last = await lastBackupOfVolumes(ctx.store());
    if (ctx.values.json) {
      const rows = volumes.map((v) => ({
        name: v.name,
        driver: v.driver,
        size: v.size ?? null,
        usedBy: v.usedBy.map((u) => ({ name: u.name, running: u.running })),
        lastBackup: last.get(v.name)?.at ?? null,
        lastBackupName: last.get(v.name)?.backup ?? null,
      }));
      return void ctx.output.out(JSON.stringify(rows, null, 2));
    }
    if (!volumes.length) return void ctx.output.out('No Docker volumes');
    ctx.output.out(
      formatTable(
        ['VOLUME', 'DRIVER', 'SIZE', 'USED BY', 'LAST BACKUP'],
        volumes.map((v) => [
          v.name,
          v.driver,
          v.size === undefined ? 'unknown' : formatBytes(v.size),
          v.usedBy.map((u) => `${u.name}${u.running ? ' (running)' : ''}`).join(', ') || '-',
          last.has(v.name) ? `${formatDate(last.get(v.name)!.at)} (${last.get(v.name)!.backup})` : 'never',
        ]),
      ),
    );
  },
};
