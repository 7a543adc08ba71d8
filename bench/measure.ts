/** Child processes for the benchmark: baselines via tar, engine operations via bench/worker.ts. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir, lstat } from 'node:fs/promises';
import * as module from 'node:module';
import * as path from 'node:path';
import type { EngineModules } from './engine-module.ts';
import type { WorkerMessage, WorkerModules, WorkerRequest, WorkerResult } from './protocol.ts';

const WORKER_TS = path.join(import.meta.dirname, 'worker.ts');

let worker = { script: WORKER_TS, stripped: false };
let modules: EngineModules | undefined;
const children = new Set<ChildProcess>();

/**
 * Sets the modules workers load, and writes a type-stripped copy of
 * bench/worker.ts into `dir`: a .ts entry point alone makes Node load its
 * TypeScript stripper (~17 MiB of RSS), which users running dist/ never pay.
 * Falls back to running worker.ts when this Node cannot strip types.
 */
export function setupWorkers(engine: EngineModules, dir: string): { stripped: boolean } {
  modules = engine;
  const strip = (module as { stripTypeScriptTypes?: (code: string) => string }).stripTypeScriptTypes;
  if (!strip) return { stripped: false };
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => undefined) as typeof process.emitWarning; // "stripTypeScriptTypes is an experimental feature"
  try {
    const script = path.join(dir, 'worker.mjs');
    writeFileSync(script, strip(readFileSync(WORKER_TS, 'utf8')));
    worker = { script, stripped: true };
  } catch {
    return { stripped: false };
  } finally {
    process.emitWarning = emitWarning;
  }
  return { stripped: true };
}

/** The module URLs the workers load (setupWorkers() first), for the runner's own use of the same build. */
export function workerModules(): WorkerModules {
  if (!modules) throw new Error('workerModules: call setupWorkers() first');
  return modules.urls;
}

/** Kills every child process still running (Ctrl-C). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGTERM');
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: { capture?: boolean } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (options.capture !== false) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Seconds a shell pipeline takes (bash, pipefail). Throws if it fails. */
export async function timeShell(script: string, ...args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const res = await run('bash', ['-c', `set -euo pipefail; ${script}`, 'bench', ...args]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (res.code !== 0) throw new Error(`'${script}' failed (exit ${res.code}): ${res.stderr.trim()}`);
  return seconds;
}

/** Read-only baseline: GNU tar skips reading file data when writing to /dev/null, hence the pipe through cat. */
export function timeTarRead(dir: string): Promise<number> {
  return timeShell('tar -cf - -C "$1" . | cat > /dev/null', dir);
}

export function timeTarCopy(dir: string, out: string): Promise<number> {
  return timeShell('mkdir -p "$2" && tar -cf - -C "$1" . | tar -xf - -C "$2"', dir, out);
}

/** Flushes dirty pages so write-back of a previous step does not land in the next timing. */
export async function syncDisks(): Promise<void> {
  await run('sync', []);
}

/** Runs a command; returns its stdout. Throws if it fails. */
export async function runCommand(cmd: string, args: string[]): Promise<string> {
  const res = await run(cmd, args);
  if (res.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.code}): ${res.stderr.trim()}`);
  return res.stdout;
}

/** Runs one operation in a fresh Node process (setupWorkers() first). */
export async function runWorker(req: WorkerRequest, nodeFlags: string[] = []): Promise<WorkerResult> {
  if (!modules) throw new Error('runWorker: call setupWorkers() first');
  const message: WorkerMessage = { ...req, modules: modules.urls };
  const res = await run(process.execPath, [...nodeFlags, worker.script, JSON.stringify(message)]);
  const last = res.stdout.trim().split('\n').pop() ?? '';
  if (res.code !== 0 || !last.startsWith('{')) {
    throw new Error(`bench worker (${req.op}) failed with exit ${res.code}:\n${res.stderr.trim()}`);
  }
  if (res.stderr.trim()) process.stderr.write(res.stderr);
  return JSON.parse(last) as WorkerResult;
}

/** Files and content bytes under a folder (metadata only). */
export async function treeTotals(root: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const visit = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await visit(full);
      else if (e.isFile()) {
        files++;
        bytes += (await lstat(full)).size;
      }
    }
  };
  await visit(root);
  return { files, bytes };
}

/**
 * Runs `once` n times (syncing disks before each) and keeps the fastest result.
 * `prepare` runs before the sync, so the write-back of its changes (e.g.
 * removing the previous run's output) is not timed.
 */
export async function bestOf(
  n: number,
  once: (i: number) => Promise<WorkerResult>,
  prepare?: (i: number) => Promise<void>,
): Promise<WorkerResult> {
  let winner: WorkerResult | undefined;
  for (let i = 0; i < n; i++) {
    if (prepare) await prepare(i);
    await syncDisks();
    const r = await once(i);
    if (!winner || r.opSeconds < winner.opSeconds) winner = r;
  }
  return winner!;
}
