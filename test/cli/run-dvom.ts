/**
 * Helpers for the CLI end-to-end tests: run `dvom` as a child process against
 * a temporary store, make temporary folders, and compare folder trees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { collectOutput } from '../support/processes.ts';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DVOM = path.join(REPO_ROOT, 'src', 'main', 'cli', 'dvom.ts');

/** DVOM variables a developer might have set; never inherited by the child. */
const DVOM_VARS = ['DVOM_PASSWORD', 'DVOM_NEW_PASSWORD', 'DVOM_KEY', 'DVOM_DEBUG', 'DVOM_BACKUP_DIR', 'DVOM_SCRYPT_N'];

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The store (DVOM_BACKUP_DIR). */
  store: string;
  /** Extra variables; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

let sessionDir: string | undefined;

/**
 * A folder shared by the children of this test process, removed on exit. It
 * holds a compile cache (halves the start-up cost of each `dvom` run:
 * TypeScript is stripped once) and is where DVOM_CONFIG points (no file:
 * an empty config, whatever the developer's own config says).
 */
function session(): string {
  if (!sessionDir) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dvom-cli-session-'));
    sessionDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return sessionDir;
}

export function dvomEnv(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DVOM_VARS) delete env[name];
  // No keychain (Secret Service over D-Bus): a developer's remembered passwords never answer for a test.
  delete env.DBUS_SESSION_BUS_ADDRESS;
  env.DVOM_CONFIG = path.join(session(), 'config.json');
  env.NODE_COMPILE_CACHE ??= path.join(session(), 'compile-cache');
  env.DVOM_BACKUP_DIR = options.store;
  env.DVOM_SCRYPT_N = '1024';
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts `node src/main/cli/dvom.ts ARGS` with stdin closed (not a TTY). */
export function spawnDvom(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [DVOM, ...args], {
    cwd: REPO_ROOT,
    env: dvomEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a started child's output and exit status. */
export function collect(child: ChildProcess, timeoutMs = 60_000): Promise<RunResult> {
  return collectOutput(child, timeoutMs);
}

/** Runs dvom to completion. */
export function runDvom(args: string[], options: RunOptions): Promise<RunResult> {
  return collect(spawnDvom(args, options), options.timeoutMs);
}

/** Runs dvom and fails with its output unless it exits with `expected` (default 0). */
export async function runOk(args: string[], options: RunOptions, expected = 0): Promise<RunResult> {
  const r = await runDvom(args, options);
  if (r.code !== expected) {
    throw new Error(`dvom ${args.join(' ')} exited ${r.code ?? r.signal}, expected ${expected}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r;
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(label: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `dvom-cli-${label}-`));
}

export async function removeAll(...dirs: string[]): Promise<void> {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
}

/**
 * A description of every entry under `root` (root itself excluded): type,
 * permission bits, SHA-256 of file content, symlink target. Two folders with
 * equal manifests are byte-identical for the tests' purposes.
 */
export async function manifest(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (dir: string, rel: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const key = rel ? `${rel}/${e.name}` : e.name;
      const st = await fs.lstat(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[key] = `symlink ${await fs.readlink(full)}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${mode}`;
        await visit(full, key);
      } else if (st.isFile()) {
        const hash = createHash('sha256').update(await fs.readFile(full)).digest('hex');
        out[key] = `file ${mode} ${st.size} ${hash}`;
      } else out[key] = 'other';
    }
  };
  await visit(root, '');
  return out;
}

/** Writes `size` bytes of random data. */
export async function writeRandomFile(file: string, size: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, randomBytes(size));
}

/** A small dataset with nested folders, empty and binary files, and a symlink. */
export async function makeSmallDataset(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'sub', 'deeper'), { recursive: true });
  await fs.mkdir(path.join(dir, 'empty-dir'));
  await fs.writeFile(path.join(dir, 'hello.txt'), 'hello, dvom\n');
  await fs.writeFile(path.join(dir, 'empty.bin'), '');
  await fs.writeFile(path.join(dir, 'sub', 'text.md'), '# notes\n'.repeat(5000));
  await writeRandomFile(path.join(dir, 'sub', 'deeper', 'random.bin'), 300 * 1024 + 17);
  await fs.writeFile(path.join(dir, 'script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  await fs.chmod(path.join(dir, 'script.sh'), 0o755);
  await fs.symlink('hello.txt', path.join(dir, 'link-to-hello'));
}

/** Every file under `dir` (relative paths), recursively. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (d: string, rel: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const key = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await visit(path.join(d, e.name), key);
      else out.push(key);
    }
  };
  await visit(dir, '').catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  return out.sort();
}

/** Snapshot of every file under `dir`: relative path → SHA-256. */
export async function fileHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of await listFiles(dir)) {
    out.set(rel, createHash('sha256').update(await fs.readFile(path.join(dir, rel))).digest('hex'));
  }
  return out;
}

export async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** Entries of `parent` whose names start with `prefix` (e.g. leftover staging folders). */
export async function siblingsStartingWith(parent: string, prefix: string): Promise<string[]> {
  return (await fs.readdir(parent)).filter((n) => n.startsWith(prefix));
}

/**
 * A private copy of a store (a store is just a folder), so each test can
 * damage or change its own without paying for another `dvom backup`.
 */
export async function cloneStore(template: string, label: string): Promise<string> {
  const dir = await tempDir(label);
  await fs.cp(template, dir, { recursive: true, preserveTimestamps: true });
  return dir;
}

/** A private copy of a template store plus a scratch folder, both added to `dirs` (removed by the caller). */
export async function storeCopy(template: string, label: string, dirs: string[]): Promise<{ store: string; work: string }> {
  const store = await cloneStore(template, `${label}-store`);
  const work = await tempDir(`${label}-work`);
  dirs.push(store, work);
  return { store, work };
}

/**
 * The login links a `dvom serve` child prints: `links` follows its output
 * (a new link on SIGUSR2 is added); `first` resolves with the first one, or
 * rejects if the server exits before printing any.
 */
export function servedLinks(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal?: NodeJS.Signals | null; stderr: string }>,
): { links: string[]; first: Promise<string> } {
  const links: string[] = [];
  let stdout = '';
  const first = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      links.splice(0, links.length, ...stdout.split('\n').filter((l) => l.startsWith('http://')).map((l) => l.trim()));
      if (links.length) resolve(links[0]!);
    });
    void exited.then((r) => reject(new Error(`dvom serve exited ${r.code ?? r.signal}: ${r.stderr}`)));
  });
  return { links, first };
}
