/**
 * Locks that cannot be trusted (M1): timestamps that are not dates or lie in
 * the future expire; a writer whose lock was taken away or could not be
 * refreshed stops before anything becomes visible; prune spares the packs such
 * a writer may still be uploading; and prune refuses when the index does not
 * name every blob in use (L5).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  backup,
  folderSource,
  prune,
  Repository,
  restoreToFolder,
  STALE_LOCK_MS,
  verify,
  type SourceEntry,
} from '../../src/main/engine/index.ts';
import { Layout } from '../../src/main/engine/repo/layout.ts';
import { lockAgeMs, RepoLock } from '../../src/main/engine/repo/lock.ts';
import type { PutOptions, StorageBackend } from '../../src/main/engine/storage/backend.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { diffVersions, dumpPath, listVersion } from '../../src/main/services/browse.ts';
import {
  ageFiles,
  assertDvomError,
  assertSameTree,
  createRepo,
  indexFiles,
  listFiles,
  lockFiles,
  packFiles,
  password,
  SMALL_CHUNKER,
  tempDir,
  versionFiles,
  writeLock,
} from './helpers.ts';

const KiB = 1024;

async function smallRepo(t: TestContext, label: string) {
  const base = tempDir(t, label);
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f'), randomBytes(20 * KiB));
  const storeDir = path.join(base, 'store');
  return { base, src, storeDir, ...(await createRepo(storeDir, 'test', { chunker: SMALL_CHUNKER })) };
}

test('a lock whose timestamp is not a date, or lies in the future, expires after the timeout', async (t) => {
  const { base, src, storeDir, repo } = await smallRepo(t, 'odd-locks');
  const v1 = await backup(repo, folderSource(src), { sourceKind: 'path' });
  const other = { host: 'other-host', pid: 1, operation: 'backup', exclusive: true, createdAt: 'x' };
  const garbage = writeLock(storeDir, { ...other, refreshedAt: 'not a date' });
  const future = writeLock(storeDir, { ...other, refreshedAt: '2999-01-01T00:00:00.000Z' });
  const unreadable = writeLock(storeDir, '{ not json');
  // Fresh, they block like any live exclusive lock, restores included.
  await assertDvomError(restoreToFolder(repo, v1, path.join(base, 'early')), 'LOCKED');
  await assertDvomError(backup(repo, folderSource(src), { sourceKind: 'path' }), 'LOCKED');
  assert.equal(lockFiles(storeDir).length, 3);

  // The store last wrote them longer ago than the timeout: nobody refreshes them, they are stale.
  ageFiles(storeDir, [garbage, future, unreadable], STALE_LOCK_MS + 60_000);
  await restoreToFolder(repo, v1, path.join(base, 'out'));
  await assertSameTree(src, path.join(base, 'out'));
  await backup(repo, folderSource(src), { sourceKind: 'path' });
  assert.deepEqual(lockFiles(storeDir), [], 'the expired locks were removed');
});

test('an unusable timestamp counts from when this process first saw it, unchanged', () => {
  const t0 = Date.UTC(2030, 0, 1);
  const key = `locks/${randomBytes(4).toString('hex')}`;
  for (const stamp of ['garbage', '2999-01-01T00:00:00.000Z', undefined]) {
    assert.equal(lockAgeMs(key, stamp, undefined, t0), 0, `first sight of ${stamp}`);
    assert.equal(lockAgeMs(key, stamp, new Date(t0 + 3600_000), t0 + 60_000), 60_000, 'a store time ahead of ours is ignored');
    assert.ok(lockAgeMs(key, stamp, undefined, t0 + STALE_LOCK_MS + 1) > STALE_LOCK_MS, `${stamp} expires`);
  }
  // A holder that refreshes (its clock ahead of ours) changes the timestamp: the count starts again.
  assert.equal(lockAgeMs(key, '2999-01-01T00:01:00.000Z', undefined, t0 + STALE_LOCK_MS + 1), 0);
  // Valid past timestamps keep their meaning.
  assert.equal(lockAgeMs(key, new Date(t0 - 1000).toISOString(), undefined, t0), 1000);
});

test('a writer whose lock is removed (taken for stale elsewhere) stops: no index, no version; prune meanwhile spared its packs', async (t) => {
  const { base, src, storeDir, store, repo } = await smallRepo(t, 'lost-lock');
  const v1 = await backup(repo, folderSource(src), { sourceKind: 'path' });
  // Large enough to be chunked on an engine thread, in 1 MiB blocks: three are sent before the pause.
  fs.writeFileSync(path.join(src, 'big.bin'), randomBytes(4096 * KiB));
  const packsBefore = packFiles(storeDir);
  const indexBefore = indexFiles(storeDir);

  let paused!: () => void;
  const reachedPause = new Promise<void>((resolve) => (paused = resolve));
  let resume!: () => void;
  const gate = new Promise<void>((resolve) => (resume = resolve));
  async function* pausingSource(): AsyncGenerator<SourceEntry> {
    for await (const entry of folderSource(src)) {
      const body = entry.body;
      if (!body || !entry.header.path.toString().endsWith('big.bin')) {
        yield entry;
        continue;
      }
      yield {
        header: entry.header,
        body: (async function* () {
          let fed = 0;
          for await (const part of body) {
            for (let pos = 0; pos < (part as Buffer).length; pos += 64 * KiB) {
              yield (part as Buffer).subarray(pos, pos + 64 * KiB);
              fed += 64 * KiB;
              if (fed === 3072 * KiB) {
                paused();
                await gate; // three quarters of big.bin are on their way to sealed packs
              }
            }
          }
        })(),
      };
    }
  }
  const running = backup(repo, pausingSource(), { sourceKind: 'path', writer: { packSize: 64 * KiB } });
  running.catch(() => undefined);
  await reachedPause;
  // Let the sealed packs land (bounded: the store is a local folder).
  const sealed = () => packFiles(storeDir).filter((p) => !packsBefore.includes(p) && !path.basename(p).startsWith('.tmp-'));
  for (let i = 0; i < 500 && sealed().length < 3; i++) await new Promise((r) => setTimeout(r, 10));
  const uploaded = sealed();
  assert.ok(uploaded.length >= 3, `the writer uploaded ${uploaded.length} packs before the pause`);

  // Another host took the writer's lock for stale (its clock ahead, the writer asleep): it removes it and prunes.
  const [held] = lockFiles(storeDir);
  assert.ok(held);
  fs.unlinkSync(path.join(storeDir, held));
  const elsewhere = await Repository.open(store, 'test', password());
  const pruned = await prune(elsewhere);
  assert.ok(pruned.packsSpared >= uploaded.length, `prune spared the writer's young packs: ${JSON.stringify(pruned)}`);
  for (const p of uploaded) assert.ok(fs.existsSync(path.join(storeDir, p)), `pack ${p} kept`);

  resume();
  await assertDvomError(running, 'LOCK_LOST', /lock on backup 'test' was lost/);
  assert.deepEqual(versionFiles(storeDir).length, 1, 'no version appeared');
  assert.deepEqual(indexFiles(storeDir).filter((f) => !indexBefore.includes(f)).length, 1, 'only the index prune rewrote');
  assert.deepEqual((await repo.versions()).map((v) => v.id), [v1.id]);
  assert.deepEqual(lockFiles(storeDir), [], 'the writer did not put its lock back');
  assert.deepEqual((await verify(repo, { readData: true })).errors, []);
  // The next backup works.
  const v2 = await backup(repo, folderSource(src), { sourceKind: 'path' });
  await restoreToFolder(repo, v2, path.join(base, 'out'));
  await assertSameTree(src, path.join(base, 'out'));
});

/** A real local store whose puts can be made to fail (an outage). */
class FlakyStore implements StorageBackend {
  failPuts = false;
  /** Runs after a read returned, before its caller goes on (a pause right after the read). */
  afterGet: ((key: string) => Promise<void>) | undefined;
  private readonly inner: LocalBackend;
  constructor(dir: string) {
    this.inner = new LocalBackend(dir);
  }
  get location() {
    return this.inner.location;
  }
  get concurrentPuts() {
    return this.inner.concurrentPuts;
  }
  put(key: string, body: Buffer | AsyncIterable<Buffer>, options?: PutOptions) {
    if (this.failPuts) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    return this.inner.put(key, body, options);
  }
  async get(key: string) {
    const data = await this.inner.get(key);
    await this.afterGet?.(key);
    return data;
  }
  getStream(key: string) {
    return this.inner.getStream(key);
  }
  getRange(key: string, start: number, length: number) {
    return this.inner.getRange(key, start, length);
  }
  stat(key: string) {
    return this.inner.stat(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}

test('a holder whose refreshes fail for half the timeout loses its lock; a removed lock is never put back', async (t) => {
  const storeDir = tempDir(t, 'refresh');
  const store = new FlakyStore(storeDir);
  const layout = new Layout('test');
  const lock = await RepoLock.acquire(store, layout, 'backup', true);
  t.after(() => lock.release().catch(() => undefined));
  const start = Date.now();
  await lock.refresh(start + 60_000);
  store.failPuts = true;
  await lock.refresh(start + 120_000); // one failure within the deadline is survived
  assert.equal(lock.signal.aborted, false);
  await lock.assertHeld();
  await lock.refresh(start + 60_000 + STALE_LOCK_MS / 2);
  assert.equal(lock.signal.aborted, true, 'the lock is lost');
  await assertDvomError(lock.assertHeld(), 'LOCK_LOST', /could not be refreshed/);

  store.failPuts = false;
  await lock.release();
  const second = await RepoLock.acquire(store, layout, 'backup', true);
  fs.rmSync(path.join(storeDir, layout.lock(second.id)));
  await second.refresh();
  assert.equal(second.signal.aborted, true);
  assert.deepEqual(lockFiles(storeDir), [], 'refresh did not recreate the removed lock');
  await assertDvomError(second.assertHeld(), 'LOCK_LOST', /removed from the store/);
  await second.release();
});

test('a holder paused past the timeout between reading its lock and rewriting it does not put back a lock removed meanwhile', async (t) => {
  process.env.DVOM_TEST_LOCK_TIMEOUT_MS = '2000';
  t.after(() => delete process.env.DVOM_TEST_LOCK_TIMEOUT_MS);
  const storeDir = tempDir(t, 'refresh-pause');
  const store = new FlakyStore(storeDir);
  const layout = new Layout('test');
  const lock = await RepoLock.acquire(store, layout, 'backup', true);
  t.after(() => lock.release().catch(() => undefined));
  // The refresh has read its lock; the whole process is paused past the timeout (its event loop
  // blocked, as under SIGSTOP: no timer runs), and meanwhile another host removes the lock.
  store.afterGet = async (key) => {
    if (!key.includes('/locks/')) return;
    store.afterGet = undefined;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
    fs.rmSync(path.join(storeDir, key));
  };
  await lock.refresh();
  assert.deepEqual(lockFiles(storeDir), [], 'the removed lock was not written back');
  await assertDvomError(lock.assertHeld(), 'LOCK_LOST', /not refreshed for longer than the timeout/);
});

test('prune refuses when a blob in use is missing from the index; nothing is deleted and every version still restores', async (t) => {
  const { base, src, storeDir, repo } = await smallRepo(t, 'lost-index');
  fs.writeFileSync(path.join(src, 'a.bin'), randomBytes(200 * KiB));
  const v1 = await backup(repo, folderSource(src), { sourceKind: 'path', writer: { packSize: 64 * KiB } });
  const [firstIndex] = indexFiles(storeDir);
  fs.writeFileSync(path.join(src, 'b.bin'), randomBytes(100 * KiB));
  const v2 = await backup(repo, folderSource(src), { sourceKind: 'path', writer: { packSize: 64 * KiB } });
  // Old packs, so no grace period hides the outcome.
  ageFiles(storeDir, packFiles(storeDir), STALE_LOCK_MS + 60_000);

  // The index object of the first backup is lost (or a listing lags behind).
  assert.ok(firstIndex);
  const aside = path.join(base, 'aside');
  fs.renameSync(path.join(storeDir, firstIndex), aside);
  const before = listFiles(storeDir);
  await assertDvomError(prune(repo), 'INTEGRITY', /missing from the index.*prune deleted nothing/);
  assert.deepEqual(listFiles(storeDir).filter((f) => !f.includes('/locks/')), before, 'prune changed nothing');

  fs.renameSync(aside, path.join(storeDir, firstIndex));
  for (const [i, v] of [v1, v2].entries()) {
    const out = path.join(base, `out-${i}`);
    await restoreToFolder(repo, v, out);
    if (i === 1) await assertSameTree(src, out);
    else assert.equal(fs.readdirSync(out).sort().join(), 'a.bin,f');
  }
  assert.deepEqual((await verify(repo, { readData: true })).errors, []);
});

test('ls, diff and dump look their versions up under the shared lock: a writer holding the backup makes them LOCKED first', async (t) => {
  const { src, storeDir, repo } = await smallRepo(t, 'browse-lock');
  await backup(repo, folderSource(src), { sourceKind: 'path' });
  const now = new Date().toISOString();
  writeLock(storeDir, { host: 'other-host', pid: 1, operation: 'prune', exclusive: true, createdAt: now, refreshedAt: now });
  // Looked up before the lock, a version the writer may be removing would be read without one (NOT_FOUND here).
  const gone = '19990101T000000Z-abcdef';
  await assertDvomError(listVersion(repo, gone, undefined, () => {}), 'LOCKED');
  await assertDvomError(diffVersions(repo, gone, 'latest', () => {}), 'LOCKED');
  await assertDvomError(dumpPath(repo, gone, '/f', new PassThrough()), 'LOCKED');
});
