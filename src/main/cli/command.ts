import type { ParseArgsConfig } from 'node:util';
import type { StorageBackend } from '../engine/index.ts';
import type { DvomConfig } from '../config/config-schema.ts';
import type { StoreSelection } from '../config/open-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { Output } from './output.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: Values;
  positionals: string[];
  output: Output;
  /** The chosen store (see config/open-store.ts). */
  store(): StorageBackend;
  config: DvomConfig;
  /** The OS keychain (calls fail with KeychainUnavailableError if there is none). */
  secrets: SecretStore;
  signal: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  /** Positional arguments: [min, max]. */
  positionals: [number, number];
  /** False for commands that do not use a store (config, target, …). */
  needsStore?: boolean;
  run(ctx: CommandContext): Promise<number | void>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: OptionSpec = {
  'backup-dir': { type: 'string' },
  target: { type: 'string' },
  storage: { type: 'string' },
  's3-bucket': { type: 'string' },
  's3-prefix': { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  's3-path-style': { type: 'boolean' },
  's3-profile': { type: 'string' },
  /** The Docker context to use (as `docker --context`): before DOCKER_HOST, DOCKER_CONTEXT and the config's. */
  context: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

export const CREDENTIAL_OPTIONS: OptionSpec = {
  password: { type: 'string' },
  'key-file': { type: 'string' },
  'remember-password': { type: 'boolean' },
};

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable option's values, as given (no splitting at commas: patterns may hold them). */
export function strings(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

/** --target and --backup-dir, as far as given (see config/open-store.ts for the order). */
export function namedStoreSelection(values: Values): StoreSelection {
  const target = str(values, 'target');
  const backupDir = str(values, 'backup-dir');
  return { ...(target ? { target } : {}), ...(backupDir ? { backupDir } : {}) };
}
