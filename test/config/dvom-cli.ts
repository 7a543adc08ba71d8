/**
 * Runs the `dvom` CLI as a child process with an isolated environment: its
 * own config file, HOME and XDG folders, no AWS profile files, no DVOM_*
 * variables of the developer, and no keychain unless a test asks for the
 * session's Secret Service (so a developer's remembered passwords and keys
 * never answer for a test).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOutput } from '../support/processes.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DVOM = path.join(REPO_ROOT, 'src', 'main', 'cli', 'dvom.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One isolated user: a home folder holding the config file and the XDG folders. */
export interface CliUser {
  home: string;
  /** DVOM_CONFIG */
  configFile: string;
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  /** Like run, but fails with the output unless the exit code is `expected`. */
  ok(args: string[], options?: RunOptions, expected?: number): Promise<CliResult>;
  remove(): void;
}

export interface RunOptions {
  /** Extra variables; undefined removes one. */
  env?: Record<string, string | undefined>;
  /** Written to standard input (otherwise stdin is /dev/null, not a TTY). */
  input?: string;
  /** Keep the session's D-Bus address, so the CLI can use the Secret Service. */
  keychain?: boolean;
  timeoutMs?: number;
}

const STRIPPED = /^(DVOM_|AWS_)/;

export function makeCliUser(label: string): CliUser {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `dvom-cli-${label}-`));
  const configFile = path.join(home, '.config', 'dvom', 'config.json');
  const cache = path.join(os.tmpdir(), 'dvom-test-compile-cache');
  const envFor = (options: RunOptions): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!STRIPPED.test(k)) env[k] = v;
    if (!options.keychain) env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent';
    Object.assign(env, {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      DVOM_CONFIG: configFile,
      DVOM_SCRYPT_N: '1024',
      AWS_CONFIG_FILE: path.join(home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? cache,
    });
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  };
  const run = (args: string[], options: RunOptions = {}): Promise<CliResult> => {
    const child = spawn(process.execPath, [DVOM, ...args], {
      cwd: REPO_ROOT,
      env: envFor(options),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    return collectOutput(child, options.timeoutMs ?? 90_000, `dvom ${args.join(' ')}`);
  };
  return {
    home,
    configFile,
    run,
    async ok(args, options = {}, expected = 0) {
      const r = await run(args, options);
      if (r.code !== expected) {
        throw new Error(`dvom ${args.join(' ')} exited ${r.code}, expected ${expected}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      }
      return r;
    },
    remove() {
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Files under `root` (recursively) whose bytes contain `needle`. */
export function filesContaining(root: string, needle: string): string[] {
  const hits: string[] = [];
  const target = Buffer.from(needle);
  const visit = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) visit(full);
      else if (e.isFile() && fs.readFileSync(full).includes(target)) hits.push(full);
    }
  };
  if (fs.existsSync(root)) visit(root);
  return hits;
}

/** Why keychain tests cannot run here, or false if the session has a D-Bus (and so, in CI, a Secret Service). */
export function keychainSkipReason(): string | false {
  return process.env.DBUS_SESSION_BUS_ADDRESS
    ? false
    : 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset): run inside dbus-run-session with an unlocked gnome-keyring';
}
