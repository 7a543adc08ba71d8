/**
 * The little the API tests need from a real Docker engine, through the docker
 * CLI: a check that an engine answers, an image imported from an empty tar
 * (nothing is pulled), volumes filled with `docker cp` through a never-started
 * container, files read back the same way, and the DVOM helpers / temporary
 * volumes on the engine (to prove none are left).
 *
 * Uses test/docker's cross-process lock, leftover listing and clean-up, so
 * the global leftover check is not confused by another DVOM docker test file
 * running at the same time.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { acquireDockerLock, docker, dvomLeftovers, removeByPrefix } from '../docker/docker-fixtures.ts';

export { acquireDockerLock, docker, dvomLeftovers };

export const EMPTY_IMAGE = 'dvom-api-test-empty:1';

export interface ExecResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function exec(file: string, args: string[], input?: Buffer): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000, encoding: 'buffer' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      if (e && typeof e.code === 'string') return reject(err);
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr: stderr.toString() });
    });
    if (input) child.stdin?.end(input);
  });
}

/** Why Docker tests cannot run here, or undefined. */
export async function dockerSkipReason(): Promise<string | undefined> {
  const r = await exec('docker', ['info', '--format', '{{.ServerVersion}}']).catch((err: Error) => ({ code: -1, stdout: Buffer.alloc(0), stderr: err.message }));
  return r.code === 0 ? undefined : `no Docker engine answers (docker info: ${r.stderr.trim().split('\n').at(-1)})`;
}

export async function ensureEmptyImage(): Promise<void> {
  if ((await exec('docker', ['image', 'inspect', EMPTY_IMAGE])).code === 0) return;
  const r = await exec('docker', ['import', '-', EMPTY_IMAGE], Buffer.alloc(1024));
  if (r.code !== 0) throw new Error(`docker import failed: ${r.stderr}`);
}

/** Everything on the engine named with one prefix; removed by cleanup(). */
export class DockerScope {
  readonly prefix = `dvomapi-${randomBytes(4).toString('hex')}`;
  private counter = 0;

  name(label: string): string {
    return `${this.prefix}-${label}-${++this.counter}`;
  }

  async volume(label: string): Promise<string> {
    const v = this.name(label);
    await docker('volume', 'create', v);
    return v;
  }

  /** A never-started container with `volume` at /data. */
  async container(volume: string): Promise<string> {
    const c = this.name('cp');
    await docker('create', '--name', c, '--network', 'none', '-v', `${volume}:/data`, EMPTY_IMAGE, '/never-started');
    return c;
  }

  /** Copies the contents of a local folder into the volume (through `container`, or a new one). */
  async fill(volume: string, dir: string, container?: string): Promise<void> {
    const c = container ?? (await this.container(volume));
    try {
      await docker('cp', `${dir}/.`, `${c}:/data`);
    } finally {
      if (!container) await docker('rm', '-f', c);
    }
  }

  /** The content of one file of a volume. */
  async readFile(volume: string, rel: string): Promise<Buffer> {
    const c = await this.container(volume);
    try {
      const r = await exec('docker', ['cp', `${c}:/data/${rel}`, '-']);
      if (r.code !== 0) throw new Error(`docker cp ${rel} failed: ${r.stderr}`);
      return firstFileOfTar(r.stdout);
    } finally {
      await docker('rm', '-f', c);
    }
  }

  cleanup(): Promise<void> {
    return removeByPrefix(this.prefix);
  }
}

/** The content of the first regular file in a tar stream. */
export function firstFileOfTar(tar: Buffer): Buffer {
  let at = 0;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const body = tar.subarray(at + 512, at + 512 + size);
    if (type === '0' || type === '\0') return Buffer.from(body);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('no file in the tar stream');
}

/** Helper containers that mount `volume`. */
export async function helpersUsing(volume: string): Promise<string[]> {
  return (await docker('ps', '-a', '--filter', 'label=io.dvom.helper', '--filter', `volume=${volume}`, '--format', '{{.Names}}')).split('\n').filter(Boolean);
}
