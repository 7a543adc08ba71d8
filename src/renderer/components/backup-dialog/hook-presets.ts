import type { VolumeUserDto } from '../../../shared/api/dto.ts';

/**
 * Hooks the backup dialog offers for images it recognises: labels a
 * container's service gets in compose.yaml (labels cannot be added to a
 * container that exists), run by docker exec before and after its volumes
 * are read (src/main/docker/backup-hooks.ts). Passwords come from the
 * container's own environment, never from DVOM.
 */
export interface HookPreset {
  id: string;
  label: string;
  pre: string;
  post?: string;
}

export interface RecognisedApp {
  container: string;
  app: 'PostgreSQL' | 'MySQL' | 'MariaDB' | 'Redis';
  presets: HookPreset[];
}

const POSTGRES: HookPreset[] = [
  {
    id: 'pg-dump',
    label: 'Dump all databases into the volume (pg_dumpall)',
    pre: `sh -c 'pg_dumpall -U "$POSTGRES_USER" > "$PGDATA/dvom-dump.sql"'`,
  },
  { id: 'pg-checkpoint', label: 'Flush to disk first (CHECKPOINT)', pre: `sh -c 'psql -U "$POSTGRES_USER" -c CHECKPOINT'` },
];

const mysqlPresets = (dump: string, client: string, passwordVar: string): HookPreset[] => [
  {
    id: 'my-dump',
    label: `Dump all databases into the volume (${dump})`,
    pre: `sh -c 'MYSQL_PWD="$${passwordVar}" ${dump} -uroot --all-databases --single-transaction > /var/lib/mysql/dvom-dump.sql'`,
  },
  { id: 'my-flush', label: 'Flush tables to disk first', pre: `sh -c 'MYSQL_PWD="$${passwordVar}" ${client} -uroot -e "FLUSH TABLES"'` },
];

const REDIS: HookPreset[] = [
  {
    id: 'redis-bgsave',
    label: 'Save a snapshot and wait for it (BGSAVE)',
    pre: `sh -c 'last=$(redis-cli LASTSAVE); redis-cli BGSAVE; while [ "$(redis-cli LASTSAVE)" = "$last" ]; do sleep 1; done'`,
  },
];

/** The image's name without registry, namespace and tag: "docker.io/library/postgres:16" → "postgres". */
function imageName(image: string): string {
  return (image.split('/').pop() ?? image).split(/[:@]/)[0]!.toLowerCase();
}

export function recogniseApp(user: VolumeUserDto): RecognisedApp | undefined {
  const name = user.image ? imageName(user.image) : '';
  if (name === 'postgres' || name === 'postgresql' || name.startsWith('postgis')) return { container: user.name, app: 'PostgreSQL', presets: POSTGRES };
  if (name === 'mysql' || name === 'percona-server') return { container: user.name, app: 'MySQL', presets: mysqlPresets('mysqldump', 'mysql', 'MYSQL_ROOT_PASSWORD') };
  if (name === 'mariadb') return { container: user.name, app: 'MariaDB', presets: mysqlPresets('mariadb-dump', 'mariadb', 'MARIADB_ROOT_PASSWORD') };
  if (name === 'redis' || name === 'redis-stack-server' || name === 'valkey') return { container: user.name, app: 'Redis', presets: REDIS };
  return undefined;
}

/** A YAML single-quoted scalar: only ' needs escaping (doubled). */
const yamlQuote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The labels block to paste into the service in compose.yaml. */
export function composeLabels(preset: HookPreset): string {
  const lines = ['labels:', `  dvom.backup.pre: ${yamlQuote(preset.pre)}`];
  if (preset.post) lines.push(`  dvom.backup.post: ${yamlQuote(preset.post)}`);
  return lines.join('\n');
}
