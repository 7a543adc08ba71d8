import type { ParseArgsConfig } from 'node:util';
import type { StorageBackend } from '../engine/index.ts';
import type { Output } from './output.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: Values;
  positionals: string[];
  output: Output;
  /** The store, opened lazily (commands like --help need none). */
  store(): StorageBackend;
  signal: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec;
  /** Positional arguments: [min, max]. */
  positionals: [number, number];
  run(ctx: CommandContext): Promise<number | void>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: OptionSpec = {
  'backup-dir': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

export const CREDENTIAL_OPTIONS: OptionSpec = {
  password: { type: 'string' },
  'key-file': { type: 'string' },
};

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
