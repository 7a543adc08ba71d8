import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DvomError, ObjectNotFoundError } from '../errors.ts';
import type { StorageBackend } from '../storage/backend.ts';
import type { Layout } from './layout.ts';
import { idFromKey } from './layout.ts';

export interface LockDoc {
  host: string;
  pid: number;
  operation: string;
  exclusive: boolean;
  createdAt: string;
  refreshedAt: string;
}

/** A lock not refreshed for this long belongs to a process that died. */
export const STALE_LOCK_MS = 5 * 60 * 1000;
/** The floor of DVOM_TEST_LOCK_TIMEOUT_MS: a refresh (a fifth of it) must still fit in. */
const MIN_TEST_TIMEOUT_MS = 2000;

/**
 * The lock timeout: STALE_LOCK_MS, unless the fault tests shorten it with
 * DVOM_TEST_LOCK_TIMEOUT_MS (tests only; never longer than STALE_LOCK_MS, never
 * under 2 s) so a paused writer can outlive its lock in seconds, not minutes.
 */
export function lockTimeoutMs(): number {
  const raw = process.env.DVOM_TEST_LOCK_TIMEOUT_MS;
  const ms = raw && /^\d{1,9}$/.test(raw) ? Number(raw) : STALE_LOCK_MS;
  return Math.min(STALE_LOCK_MS, Math.max(MIN_TEST_TIMEOUT_MS, ms));
}

function describeTimeout(): string {
  const ms = lockTimeoutMs();
  return ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${Math.round(ms / 1000)} s`;
}

/** A holder refreshes its lock five times per timeout. */
const refreshMs = () => lockTimeoutMs() / 5;
/**
 * A holder that could not refresh for this long gives up: others may call
 * its lock stale soon, so it must not go on writing.
 */
const refreshDeadlineMs = () => lockTimeoutMs() / 2;

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

/** When this process first saw a lock whose timestamp it cannot use, by key and timestamp text. */
const firstSeen = new Map<string, number>();

/**
 * How long a lock has gone without a refresh. A timestamp that is not a date
 * or lies in the future (a clock ahead of ours, or a crafted lock) would never
 * expire: such a lock counts from when this process first saw it unchanged,
 * or from when the store last wrote it, whichever is earlier.
 */
export function lockAgeMs(key: string, refreshedAt: unknown, storedAt: Date | undefined, now: number): number {
  const stamp = typeof refreshedAt === 'string' ? Date.parse(refreshedAt) : NaN;
  if (Number.isFinite(stamp) && stamp <= now) return now - stamp;
  const seenKey = `${key}\n${String(refreshedAt)}`;
  let since = firstSeen.get(seenKey);
  if (since === undefined) {
    since = now;
    firstSeen.set(seenKey, now);
  }
  const stored = storedAt?.getTime() ?? NaN;
  if (Number.isFinite(stored) && stored <= now) since = Math.min(since, stored);
  return now - since;
}

/** A lock as another process sees it: what `dvom unlock` lists and removes. */
export interface LockInfo {
  id: string;
  host: string;
  pid: number;
  operation: string;
  exclusive: boolean;
  createdAt: string;
  /** Dead, or not refreshed for longer than the timeout. */
  stale: boolean;
}

/** An unreadable lock object: treated as an exclusive lock of unknown owner with an unusable timestamp. */
function parseLockDoc(raw: Buffer): LockDoc {
  let doc: Partial<LockDoc> | null = null;
  try {
    doc = JSON.parse(raw.toString('utf8')) as Partial<LockDoc> | null;
  } catch {
    // handled below
  }
  const o = doc && typeof doc === 'object' ? doc : {};
  return {
    host: typeof o.host === 'string' ? o.host : 'unknown host',
    pid: typeof o.pid === 'number' ? o.pid : 0,
    operation: typeof o.operation === 'string' ? o.operation : 'unknown',
    exclusive: o.exclusive !== false,
    createdAt: typeof o.createdAt === 'string' ? o.createdAt : 'an unknown time',
    refreshedAt: typeof o.refreshedAt === 'string' ? o.refreshedAt : '',
  };
}

/**
 * Whether a lock is stale. When the store's time is known (`storeNow`: when
 * the store wrote our own lock), the age is the time since the store last
 * wrote this one (each refresh rewrites it): no host's clock takes part, so a
 * writer whose clock is minutes off keeps its lock. Otherwise the lock's own
 * timestamp is read against this host's clock (lockAgeMs).
 */
function isStale(key: string, doc: LockDoc, storedAt: Date | undefined, now: number, storeNow?: number): boolean {
  if (doc.host === hostname()) {
    if (!processAlive(doc.pid)) return true;
    if (doc.pid === process.pid && !heldByThisProcess.has(key)) return true;
  }
  const stored = storedAt?.getTime() ?? 0;
  if (storeNow !== undefined && stored > 0) return storeNow - stored > lockTimeoutMs();
  return lockAgeMs(key, doc.refreshedAt, storedAt, now) > lockTimeoutMs();
}

/** A listed lock's document; undefined when it was released meanwhile. */
async function readLockDoc(backend: StorageBackend, key: string): Promise<LockDoc | undefined> {
  try {
    return parseLockDoc(await backend.get(key));
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
}

/** Every lock of a backup, each marked stale or live (locks that vanish while listing are skipped). */
export async function readLocks(backend: StorageBackend, layout: Layout): Promise<LockInfo[]> {
  const out: LockInfo[] = [];
  const now = Date.now();
  for await (const obj of backend.list(layout.locksPrefix)) {
    const doc = await readLockDoc(backend, obj.key);
    if (!doc) continue;
    out.push({ id: idFromKey(obj.key), ...pick(doc), stale: isStale(obj.key, doc, obj.modified, now) });
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

function pick(doc: LockDoc) {
  return { host: doc.host, pid: doc.pid, operation: doc.operation, exclusive: doc.exclusive, createdAt: doc.createdAt };
}

/** Removes one lock by id (unlock). A missing lock is not an error. */
export async function removeLock(backend: StorageBackend, layout: Layout, id: string): Promise<void> {
  await backend.delete(layout.lock(id));
}

function lockLost(layout: Layout, why: string): DvomError {
  return new DvomError(
    'LOCK_LOST',
    `the lock on backup '${layout.name}' was lost (${why}): another process may have taken the backup over, ` +
      'so this operation stopped before making anything visible; run it again',
  );
}

/**
 * Writers (backup, prune, forget, delete, key changes) take an exclusive lock;
 * readers (restore, verify) a shared one. Works on any store: write our lock,
 * then look for conflicting ones and back off if there are any.
 *
 * A holder refreshes its lock every minute. If the lock vanished (another host
 * took it for stale: a sleep, an outage, a clock ahead) or could not be
 * refreshed for a while, the lock is lost: `signal` aborts, and `assertHeld`
 * (called before anything becomes visible or is deleted) throws LOCK_LOST.
 */
export class RepoLock {
  private readonly backend: StorageBackend;
  private readonly layout: Layout;
  private readonly key: string;
  private readonly doc: LockDoc;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private lastRefreshed: number;
  private lostError: DvomError | undefined;

  private constructor(backend: StorageBackend, layout: Layout, key: string, doc: LockDoc) {
    this.backend = backend;
    this.layout = layout;
    this.key = key;
    this.doc = doc;
    this.lastRefreshed = Date.now();
  }

  static async acquire(backend: StorageBackend, layout: Layout, operation: string, exclusive: boolean): Promise<RepoLock> {
    await RepoLock.checkConflicts(backend, layout, exclusive, undefined);
    const now = new Date().toISOString();
    const doc: LockDoc = { host: hostname(), pid: process.pid, operation, exclusive, createdAt: now, refreshedAt: now };
    const lock = new RepoLock(backend, layout, layout.lock(randomBytes(8).toString('hex')), doc);
    heldByThisProcess.add(lock.key);
    try {
      await backend.put(lock.key, Buffer.from(JSON.stringify(doc)), { mutable: true });
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
    lock.timer = setInterval(() => void lock.refresh(), refreshMs());
    lock.timer.unref();
    return lock;
  }

  /**
   * Before our lock is written (`own` undefined) only a live conflict counts:
   * nothing is deleted, since a lock that looks stale by this host's clock may
   * only be skewed. Once ours is written, its time in the store dates the others:
   * stale ones are deleted, live conflicts fail.
   */
  private static async checkConflicts(backend: StorageBackend, layout: Layout, exclusive: boolean, own: string | undefined) {
    const now = Date.now();
    const listed = [];
    for await (const obj of backend.list(layout.locksPrefix)) listed.push(obj);
    const ownStored = listed.find((obj) => obj.key === own)?.modified.getTime() ?? 0;
    const storeNow = ownStored > 0 ? ownStored : undefined;
    for (const obj of listed) {
      if (obj.key === own) continue;
      const doc = await readLockDoc(backend, obj.key);
      if (!doc) continue;
      if (isStale(obj.key, doc, obj.modified, now, storeNow)) {
        if (own !== undefined) await backend.delete(obj.key);
        continue;
      }
      if (exclusive || doc.exclusive) {
        throw new DvomError(
          'LOCKED',
          `backup '${layout.name}' is in use by '${doc.operation}' on ${doc.host} (pid ${doc.pid}) since ${doc.createdAt}; ` +
            `try again when it has finished (a lock of a crashed process expires after ${describeTimeout()}; ` +
            `'dvom unlock ${layout.name}' removes expired ones)`,
        );
      }
    }
  }

  /** Aborts when the lock is lost; long operations pass it on so they stop early. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The LOCK_LOST error, once the lock is lost. */
  get lost(): DvomError | undefined {
    return this.lostError;
  }

  private lose(why: string): void {
    if (this.lostError) return;
    this.lostError = lockLost(this.layout, why);
    clearInterval(this.timer);
    this.controller.abort(this.lostError);
  }

  /** Throws LOCK_LOST if the lock is already known lost (cheap: no store access). */
  throwIfLost(): void {
    if (this.lostError) throw this.lostError;
  }

  /** Whether our lock object is still in the store; a failure to ask is not an answer (rethrown). */
  private async stillThere(): Promise<boolean> {
    try {
      await this.backend.get(this.key);
      return true;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) return false;
      throw err;
    }
  }

  /**
   * Checks with the store that the lock is still ours, right before a step that
   * makes something visible (a version file) or deletes data. Throws LOCK_LOST.
   */
  async assertHeld(): Promise<void> {
    this.throwIfLost();
    let there: boolean;
    try {
      there = await this.stillThere();
    } catch (err) {
      this.lose(`the store could not be asked: ${(err as Error).message}`);
      throw this.lostError!;
    }
    if (!there) this.lose('it was removed from the store');
    this.throwIfLost();
  }

  /** Rewrites the lock's timestamp, unless it vanished: a lock another host removed is never put back. */
  async refresh(now: number = Date.now()): Promise<void> {
    if (this.lostError) return;
    try {
      if (!(await this.stillThere())) {
        this.lose('it was removed from the store');
        return;
      }
      // Paused (a sleep, SIGSTOP) past the timeout, maybe right after that read: another host may have
      // removed the lock since, and the rewrite below would put it back.
      if (Date.now() - this.lastRefreshed > lockTimeoutMs()) {
        this.lose(`it was not refreshed for longer than the timeout (${describeTimeout()})`);
        return;
      }
      this.doc.refreshedAt = new Date(now).toISOString();
      await this.backend.put(this.key, Buffer.from(JSON.stringify(this.doc)), { overwrite: true, mutable: true });
      this.lastRefreshed = now;
    } catch (err) {
      if (now - this.lastRefreshed >= refreshDeadlineMs()) {
        this.lose(`it could not be refreshed for ${Math.round((now - this.lastRefreshed) / 1000)} s: ${(err as Error).message}`);
      }
    }
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

/**
 * Runs `fn` holding a lock, releasing it however `fn` ends. If the lock was
 * lost meanwhile, fn's failure (usually its cancellation) is reported as LOCK_LOST.
 */
export async function withLock<T>(
  backend: StorageBackend,
  layout: Layout,
  operation: string,
  exclusive: boolean,
  fn: (lock: RepoLock) => Promise<T>,
): Promise<T> {
  const lock = await RepoLock.acquire(backend, layout, operation, exclusive);
  let result: T;
  try {
    result = await fn(lock);
  } catch (err) {
    // The operation's error is what the user needs; a failed release (store down) must not replace it.
    await lock.release().catch(() => undefined);
    throw lock.lost ?? err;
  }
  await lock.release();
  return result;
}
