/** Process helpers shared by the test suites. */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface CollectedOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a started child's output and exit status; SIGKILLs it after `timeoutMs` (the error names it `what`). */
export function collectOutput(child: ChildProcess, timeoutMs: number, what = 'dvom'): Promise<CollectedOutput> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * A lock shared by test files running in parallel processes (e.g. one Docker
 * suite at a time, so global leftover checks are not confused). A lock whose
 * holder died is taken over. Resolves with the release function.
 */
export async function acquireFileLock(lockFile: string, timeoutMs = 10 * 60_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  const me = String(process.pid);
  for (;;) {
    try {
      await fs.writeFile(lockFile, me, { flag: 'wx' });
      return async () => {
        if ((await fs.readFile(lockFile, 'utf8').catch(() => '')) === me) await fs.rm(lockFile, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await fs.readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (owner > 0 && !isProcessAlive(owner)) {
      await fs.rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockFile} (held by pid ${owner})`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
