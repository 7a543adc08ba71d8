import * as fs from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { DvomError, usageError } from '../engine/errors.ts';
import { writePrivateFile } from '../platform/private-file.ts';
import type { DvomConfig, DvomConfigInput } from './config-schema.ts';
import { emptyConfig, holdsSecrets } from './config-values.ts';

/** The schema (and zod, ~15 MiB of memory) is loaded only when a config file is read or written. */
const loadSchema = async () => (await import('./config-schema.ts')).configSchema;

/** The one config file shared by the CLI and the app: $DVOM_CONFIG, else the platform's config folder. */
export function configPath(): string {
  if (process.env.DVOM_CONFIG) return path.resolve(process.env.DVOM_CONFIG);
  const home = homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'dvom', 'config.json');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'dvom', 'config.json');
  return path.join(process.env.XDG_CONFIG_HOME || path.join(home, '.config'), 'dvom', 'config.json');
}

/** Reads and validates the config; a missing file is an empty config. */
export async function readConfig(file = configPath()): Promise<DvomConfig> {
  let raw: string;
  let mode: number;
  try {
    const handle = await fs.open(file, 'r');
    try {
      mode = (await handle.stat()).mode;
      raw = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    throw new DvomError('ERROR', `cannot read config file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw usageError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = (await loadSchema()).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usageError(`config file ${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  if (process.platform !== 'win32' && holdsSecrets(parsed.data) && (mode & 0o077) !== 0) {
    throw usageError(
      `config file ${file} holds a secret key but other users can read it (mode ${(mode & 0o777).toString(8)}); ` +
        `fix it with: chmod 600 ${file}  (better: move the secret to the keychain with dvom target add)`,
    );
  }
  return parsed.data;
}

/** Writes the config atomically, readable by its owner only. */
export async function writeConfig(config: DvomConfigInput, file = configPath()): Promise<void> {
  const valid = (await loadSchema()).parse(config);
  await writePrivateFile(file, JSON.stringify(valid, null, 2) + '\n');
}

/** Applies `change` to the config on disk. */
export async function updateConfig(change: (config: DvomConfig) => void, file = configPath()): Promise<DvomConfig> {
  const config = await readConfig(file);
  change(config);
  await writeConfig(config, file);
  return config;
}
