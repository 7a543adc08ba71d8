/** Child processes for the benchmark: baselines via tar, engine operations via bench/worker.ts. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

/** The dvom CLI of the build the workers load (setupWorkers() first). */
export function dvomCli(): string {
  if (!modules) throw new Error('dvomCli: call setupWorkers() first');
  return modules.cli;
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

interface RunOptions {
  capture?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

function run(cmd: string, args: string[], options: RunOptions = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}), ...(options.cwd ? { cwd: options.cwd } : {}) });
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

/** GNU time: the only common way to get a child's rusage (Node's child_process reports none). */
const GNU_TIME = '/usr/bin/time';
const RUSAGE_MARK = 'dvom-bench-rusage';

/** A whole process as its user sees it: wall time, CPU of all its threads, peak RSS (wait4 ru_maxrss). */
export interface ProcessRun {
  seconds: number;
  cpuSeconds: number;
  peakRssKiB: number;
  stdout: string;
}

/** Undefined when GNU time is installed, else what to do about it. */
export function gnuTimeProblem(): string | undefined {
  return existsSync(GNU_TIME) ? undefined : `${GNU_TIME} is missing: whole-process peak RSS needs GNU time (apt-get install time)`;
}

/** Runs a command under GNU time; throws if it fails. */
export async function timeProcess(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ProcessRun> {
  const t0 = process.hrtime.bigint();
  const res = await run(GNU_TIME, ['-f', `${RUSAGE_MARK} %M %U %S`, cmd, ...args], options);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // GNU time appends its line to the child's stderr; the last marked line is ours.
  const usage = [...res.stderr.matchAll(new RegExp(`${RUSAGE_MARK} (\\d+) ([\\d.]+) ([\\d.]+)`, 'g'))].pop();
  if (res.code !== 0 || !usage) {
    const stderr = res.stderr.replace(new RegExp(`^.*${RUSAGE_MARK}.*$`, 'gm'), '').trim();
    const what = [cmd, ...args.slice(0, 2)].map((a) => path.basename(a).slice(0, 40)).join(' ');
    throw new Error(`${what} failed (exit ${res.code}): ${stderr.split('\n').slice(-5).join(' | ')}`);
  }
  return { seconds, cpuSeconds: Number(usage[2]) + Number(usage[3]), peakRssKiB: Number(usage[1]), stdout: res.stdout };
}

/**
 * Runs one operation in a fresh Node process (setupWorkers() first). With
 * wholeProcess, the figures are the whole process's (start-up, module
 * loading and all), as for any other command timed with timeProcess.
 */
export async function runWorker(req: WorkerRequest, options: { nodeFlags?: string[]; wholeProcess?: boolean } = {}): Promise<WorkerResult> {
  if (!modules) throw new Error('runWorker: call setupWorkers() first');
  const message: WorkerMessage = { ...req, modules: modules.urls };
  const args = [...(options.nodeFlags ?? []), worker.script, JSON.stringify(message)];
  if (options.wholeProcess) {
    const p = await timeProcess(process.execPath, args);
    const inner = parseWorkerResult(req, p.stdout);
    return { ...inner, opSeconds: p.seconds, cpuSeconds: p.cpuSeconds, processPeakRssKiB: p.peakRssKiB, innerOpSeconds: inner.opSeconds };
  }
  const res = await run(process.execPath, args);
  if (res.code !== 0) throw new Error(`bench worker (${req.op}) failed with exit ${res.code}:\n${res.stderr.trim()}`);
  if (res.stderr.trim()) process.stderr.write(res.stderr);
  return parseWorkerResult(req, res.stdout);
}

function parseWorkerResult(req: WorkerRequest, stdout: string): WorkerResult {
  const last = stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('{')) throw new Error(`bench worker (${req.op}) printed no result`);
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

/** How repeated runs are reduced to one: the fastest, or the median (by time). */
export type RunPick = 'best' | 'median';

/**
 * Runs `once` `repeat` times (syncing disks before each) and keeps the
 * fastest or the median run. `prepare` runs before the sync, so the
 * write-back of its changes (e.g. removing the previous run's output) is not
 * timed.
 */
export async function pickRun<T extends { opSeconds: number }>(
  how: { repeat: number; pick: RunPick },
  once: (i: number) => Promise<T>,
  prepare?: (i: number) => Promise<void>,
): Promise<T> {
  const runs: T[] = [];
  for (let i = 0; i < how.repeat; i++) {
    if (prepare) await prepare(i);
    await syncDisks();
    runs.push(await once(i));
  }
  return pickOf(runs, (r) => r.opSeconds, how.pick);
}

/** The fastest or the median (the lower one of an even count) of `runs`. */
export function pickOf<T>(runs: T[], seconds: (r: T) => number, pick: RunPick): T {
  const sorted = [...runs].sort((a, b) => seconds(a) - seconds(b));
  return sorted[pick === 'best' ? 0 : Math.floor((sorted.length - 1) / 2)]!;
}
