import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DvomError } from '../errors.ts';
import type { StorageBackend } from '../storage/backend.ts';
import type { Layout } from './layout.ts';
import { idFromKey } from './layout.ts';

interface LockDoc {
  host: string;
  pid: number;
  operation: string;
  exclusive: boolean;
  createdAt: string;
  refreshedAt: string;
}

/** A lock not refreshed for this long belongs to a process that died. */
export const STALE_LOCK_MS = 5 * 60 * 1000;
const REFRESH_MS = 60 * 1000;

/** Whether a process of this host is running (EPERM: it is, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks this process holds now. One of ours that is not here failed to be removed: it is stale. */
const heldByThisProcess = new Set<string>();

function isStale(key: string, doc: LockDoc, now: number): boolean {
  if (doc.host === hostname()) {
    if (!processAlive(doc.pid)) return true;
    if (doc.pid === process.pid && !heldByThisProcess.has(key)) return true;
  }
  return now - Date.parse(doc.refreshedAt) > STALE_LOCK_MS;
}

/**
 * Writers (backup, prune, forget, delete, key changes) take an exclusive lock;
 * readers (restore, verify) a shared one. Works on any store: write our lock,
 * then look for conflicting ones and back off if there are any.
 */
export class RepoLock {
  private readonly backend: StorageBackend;
  private readonly key: string;
  private readonly doc: LockDoc;
  private timer: NodeJS.Timeout | undefined;

  private constructor(backend: StorageBackend, key: string, doc: LockDoc) {
    this.backend = backend;
    this.key = key;
    this.doc = doc;
  }

  static async acquire(backend: StorageBackend, layout: Layout, operation: string, exclusive: boolean): Promise<RepoLock> {
    await RepoLock.checkConflicts(backend, layout, exclusive, undefined);
    const now = new Date().toISOString();
    const doc: LockDoc = { host: hostname(), pid: process.pid, operation, exclusive, createdAt: now, refreshedAt: now };
    const lock = new RepoLock(backend, layout.lock(randomBytes(8).toString('hex')), doc);
    heldByThisProcess.add(lock.key);
    try {
      await backend.put(lock.key, Buffer.from(JSON.stringify(doc)));
    } catch (err) {
      heldByThisProcess.delete(lock.key);
      throw err;
    }
    try {
      await RepoLock.checkConflicts(backend, layout, exclusive, lock.key);
    } catch (err) {
      heldByThisProcess.delete(lock.key);
      await backend.delete(lock.key).catch(() => undefined);
      throw err;
    }
    lock.timer = setInterval(() => void lock.refresh(), REFRESH_MS);
    lock.timer.unref();
    return lock;
  }

  private static async checkConflicts(backend: StorageBackend, layout: Layout, exclusive: boolean, own: string | undefined) {
    const now = Date.now();
    for await (const obj of backend.list(layout.locksPrefix)) {
      if (obj.key === own) continue;
      let doc: LockDoc;
      try {
        doc = JSON.parse((await backend.get(obj.key)).toString('utf8')) as LockDoc;
      } catch {
        continue; // vanished or unreadable: released meanwhile
      }
      if (typeof doc?.refreshedAt !== 'string') continue;
      if (isStale(obj.key, doc, now)) {
        await backend.delete(obj.key);
        continue;
      }
      if (exclusive || doc.exclusive) {
        throw new DvomError(
          'LOCKED',
          `backup '${layout.name}' is in use by '${doc.operation}' on ${doc.host} (pid ${doc.pid}) since ${doc.createdAt}; ` +
            `try again when it has finished (a lock of a crashed process expires after ${STALE_LOCK_MS / 60000} minutes)`,
        );
      }
    }
  }

  private async refresh(): Promise<void> {
    this.doc.refreshedAt = new Date().toISOString();
    await this.backend.put(this.key, Buffer.from(JSON.stringify(this.doc)), { overwrite: true }).catch(() => undefined);
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    // Forget it first: if the delete fails (store down), our next attempt treats it as stale.
    heldByThisProcess.delete(this.key);
    await this.backend.delete(this.key);
  }

  get id(): string {
    return idFromKey(this.key);
  }
}

/** Runs `fn` holding a lock, releasing it however `fn` ends. */
export async function withLock<T>(
  backend: StorageBackend,
  layout: Layout,
  operation: string,
  exclusive: boolean,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await RepoLock.acquire(backend, layout, operation, exclusive);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    // The operation's error is what the user needs; a failed release (store down) must not replace it.
    await lock.release().catch(() => undefined);
    throw err;
  }
  await lock.release();
  return result;
}
