import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import { writePrivateFile } from '../platform/private-file.ts';
import { processAlive } from '../engine/repo/lock.ts';

/**
 * Which process runs the schedules of one config: the Electron app and
 * `dvom serve` may both be up, and each schedule must run once. The holder
 * refreshes the lock file on every scheduler tick; a lock of a process that
 * died, or not refreshed for STALE_MS, is taken over.
 */
const STALE_MS = 3 * 60_000;
const REFRESH_MS = 30_000;

interface HostDoc {
  token: string;
  pid: number;
  host: string;
  refreshedAt: number;
}

export class HostLock {
  readonly file: string;
  private readonly token = randomBytes(8).toString('hex');
  private refreshedAt = 0;

  constructor(file: string) {
    this.file = file;
  }

  private async read(): Promise<HostDoc | undefined> {
    try {
      const doc = JSON.parse(await fs.readFile(this.file, 'utf8')) as HostDoc;
      return typeof doc?.token === 'string' && typeof doc.refreshedAt === 'number' ? doc : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(): Promise<void> {
    const doc: HostDoc = { token: this.token, pid: process.pid, host: hostname(), refreshedAt: Date.now() };
    await writePrivateFile(this.file, JSON.stringify(doc) + '\n');
    this.refreshedAt = doc.refreshedAt;
  }

  /** Takes or keeps the lock; returns the holder when another live process has it. */
  async claim(): Promise<{ held: true } | { held: false; pid: number; host: string }> {
    const doc = await this.read();
    if (doc && doc.token !== this.token) {
      const dead = doc.host === hostname() && !processAlive(doc.pid);
      if (!dead && Date.now() - doc.refreshedAt < STALE_MS) return { held: false, pid: doc.pid, host: doc.host };
    }
    if (doc?.token === this.token && Date.now() - this.refreshedAt < REFRESH_MS) return { held: true };
    await this.write();
    // Two processes taking over at once: the last writer wins.
    const check = await this.read();
    return check?.token === this.token ? { held: true } : { held: false, pid: check?.pid ?? 0, host: check?.host ?? '?' };
  }

  async release(): Promise<void> {
    const doc = await this.read();
    if (doc?.token === this.token) await fs.rm(this.file, { force: true });
  }
}
