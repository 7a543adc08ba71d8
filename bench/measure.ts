/** Child processes for the benchmark: baselines via tar, engine operations via bench/worker.ts. */
import { spawn } from 'node:child_process';
import { readdir, lstat } from 'node:fs/promises';
import * as path from 'node:path';
import type { WorkerRequest, WorkerResult } from './protocol.ts';

const WORKER = path.join(import.meta.dirname, 'worker.ts');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: { capture?: boolean } = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (options.capture !== false) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
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

/** Runs one engine operation in a fresh Node process. */
export async function runWorker(req: WorkerRequest, nodeFlags: string[] = []): Promise<WorkerResult> {
  const res = await run(process.execPath, [...nodeFlags, WORKER, JSON.stringify(req)]);
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
