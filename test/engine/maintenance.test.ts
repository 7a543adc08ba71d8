/**
 * Maintenance: forget / prune / delete, interrupted backups, locks, and the
 * retention policy (restic's forget semantics).
 */
process.env.TZ = 'UTC'; // retention buckets use local time: pin it before any Date is made

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import {
  applyRetention,
  backup,
  deleteBackup,
  deleteVersion,
  folderSource,
  forget,
  listBackupNames,
  listBackups,
  overview,
  prune,
  estimatePrune,
  Repository,
  restoreToFolder,
  STALE_LOCK_MS,
  verify,
} from '../../src/main/engine/index.ts';
import type { RetentionPolicy, SourceEntry, VersionSummary } from '../../src/main/engine/index.ts';
import { BlobIndex } from '../../src/main/engine/repo/blob-index.ts';
import {
  ageFiles,
  assertDvomError,
  assertSameTree,
  createRepo,
  dataBlobs,
  listFiles,
  lockFiles,
  packFiles,
  password,
  SMALL_CHUNKER,
  snapshotDifferences,
  snapshotTree,
  tempDir,
  writeLock,
} from './helpers.ts';

const KiB = 1024;

async function restoredSnapshot(repo: Repository, version: VersionSummary, out: string) {
  await restoreToFolder(repo, version, out);
  return snapshotTree(out);
}

async function assertClean(repo: Repository) {
  const report = await verify(repo, { readData: true });
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.notes, []);
}

// ---------------------------------------------------------------- forget / prune / delete

test('forget keep-last keeps the newest; prune frees the rest; kept versions restore exactly', async (t) => {
  const base = tempDir(t, 'forget');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'common.bin'), randomBytes(300 * KiB));
  const storeDir = path.join(base, 'store');
  const { store, repo } = await createRepo(storeDir, 'test', { chunker: SMALL_CHUNKER });
  const versions: VersionSummary[] = [];
  const snapshots: Awaited<ReturnType<typeof snapshotTree>>[] = [];
  for (let i = 0; i < 4; i++) {
    fs.writeFileSync(path.join(src, `unique-${i}.bin`), randomBytes(400 * KiB)); // only this version adds it…
    if (i > 0) fs.rmSync(path.join(src, `unique-${i - 1}.bin`)); // …and the next one drops it
    versions.push(await backup(repo, folderSource(src), { sourceKind: 'path', writer: { packSize: 64 * KiB } }));
    snapshots.push(await snapshotTree(src));
  }
  const [v1, v2, v3, v4] = versions as [VersionSummary, VersionSummary, VersionSummary, VersionSummary];

  const dry = await forget(repo, { last: 2 }, { dryRun: true });
  assert.deepEqual(dry.decision.remove.map((v) => v.id), [v2.id, v1.id]);
  assert.equal((await repo.versions()).length, 4, 'a dry run removes nothing');

  const packsBefore = packFiles(storeDir);
  const storedBefore = (await overview(store, 'test')).storedBytes;
  const result = await forget(repo, { last: 2 });
  assert.deepEqual(result.decision.keep.map((k) => [k.version.id, k.reasons]), [[v4.id, ['last']], [v3.id, ['last']]]);
  assert.deepEqual((await repo.versions()).map((v) => v.id), [v3.id, v4.id]);
  assert.deepEqual(packFiles(storeDir), packsBefore, 'forget without prune keeps the data');

  const report = await prune(repo);
  assert.ok(report.packsDeleted > 0 && report.blobsRemoved > 0, JSON.stringify(report));
  const storedAfter = (await overview(store, 'test')).storedBytes;
  // unique-0 and unique-1 (800 KiB of random data) were only in the forgotten versions.
  assert.ok(storedBefore - storedAfter >= 750 * KiB, `freed ${storedBefore - storedAfter} bytes`);
  assert.ok(report.bytesFreed >= 750 * KiB);
  assert.ok(packFiles(storeDir).length < packsBefore.length);

  await assertClean(repo);
  const fresh = await Repository.open(store, 'test', password());
  for (const [i, v] of [[2, v3], [3, v4]] as const) {
    const snap = await restoredSnapshot(fresh, v, path.join(base, `out-${i}`));
    assert.deepEqual(snapshotDifferences(snapshots[i]!, snap), []);
  }
  // A second prune finds nothing to do.
  const again = await prune(repo);
  assert.equal(again.packsDeleted, 0);
  assert.equal(again.bytesFreed, 0);
});

test('forget with prune and deleteVersion remove data only the removed versions used', async (t) => {
  const base = tempDir(t, 'delete-version');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  const storeDir = path.join(base, 'store');
  const { repo } = await createRepo(storeDir, 'test', { chunker: SMALL_CHUNKER });
  const versions: VersionSummary[] = [];
  for (let i = 0; i < 3; i++) {
    fs.writeFileSync(path.join(src, `f${i}`), randomBytes(200 * KiB));
    versions.push(await backup(repo, folderSource(src), { sourceKind: 'path', writer: { packSize: 64 * KiB } }));
  }
  const snapLast = await snapshotTree(src);
  const [v1, v2, v3] = versions as [VersionSummary, VersionSummary, VersionSummary];

  const contentBefore = await dataBlobs(repo);
  // A prefix (ids of one second differ only in their random tail: a short prefix may be ambiguous).
  const { version, pruned } = await deleteVersion(repo, v2.id.slice(0, -1));
  assert.equal(version.id, v2.id);
  assert.deepEqual((await repo.versions()).map((v) => v.id), [v1.id, v3.id]);
  // v2 added f1, which v3 still has: no content may go, only v2's own tree.
  assert.deepEqual(await dataBlobs(repo), contentBefore);
  assert.ok(pruned.blobsRemoved >= 1 && pruned.blobsRemoved <= 2, JSON.stringify(pruned));
  await assertClean(repo);

  const withPrune = await forget(repo, { last: 1 }, { prune: true });
  assert.deepEqual(withPrune.decision.remove.map((v) => v.id), [v1.id]);
  assert.ok(withPrune.pruned, 'prune ran');
  await assertClean(repo);
  const snap = await restoredSnapshot(repo, v3, path.join(base, 'out'));
  assert.deepEqual(snapshotDifferences(snapLast, snap), []);

  await assertDvomError(deleteVersion(repo, 'nonexistent'), 'NOT_FOUND');
  await assertDvomError(forget(repo, {}), 'USAGE');
  assert.equal((await repo.versions()).length, 1);
});

test('deleteBackup removes every file of one backup and leaves the others alone', async (t) => {
  const base = tempDir(t, 'delete-backup');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'x'), randomBytes(50 * KiB));
  const storeDir = path.join(base, 'store');
  const a = await createRepo(storeDir, 'alpha');
  const b = await createRepo(storeDir, 'beta', { encrypted: false });
  await backup(a.repo, folderSource(src), { sourceKind: 'path' });
  await backup(b.repo, folderSource(src), { sourceKind: 'path' });
  const betaFiles = new Map(listFiles(storeDir).filter((f) => f.startsWith('backups/beta/')).map((f) => [f, fs.readFileSync(path.join(storeDir, f))]));

  const removed = await deleteBackup(a.store, 'alpha');
  assert.ok(removed >= 4, `removed ${removed} objects`);
  assert.ok(!fs.existsSync(path.join(storeDir, 'backups', 'alpha')), 'the backup folder is gone');
  assert.deepEqual(await listBackupNames(a.store), ['beta']);
  assert.deepEqual((await listBackups(a.store)).map((x) => x.name), ['beta']);
  await assertDvomError(Repository.open(a.store, 'alpha', password()), 'NOT_FOUND');
  await assertDvomError(deleteBackup(a.store, 'alpha'), 'NOT_FOUND');

  const after = listFiles(storeDir);
  assert.deepEqual(after, [...betaFiles.keys()].sort());
  for (const [f, data] of betaFiles) assert.ok(fs.readFileSync(path.join(storeDir, f)).equals(data));
  await assertClean(await Repository.open(b.store, 'beta'));

  // The name can be reused.
  const again = await createRepo(storeDir, 'alpha');
  assert.equal((await again.repo.versions()).length, 0);
});

test('a cancelled backup deletes the packs it stored; no version appears; prune still spares a crashed writer\'s young packs; the next backup works', async (t) => {
  const base = tempDir(t, 'interrupted');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'kept from the first backup\n');
  const storeDir = path.join(base, 'store');
  const { repo } = await createRepo(storeDir, 'test', { chunker: SMALL_CHUNKER });
  const v1 = await backup(repo, folderSource(src), { sourceKind: 'path' });
  const packsV1 = packFiles(storeDir);
  const indexV1 = listFiles(storeDir).filter((f) => f.includes('/index/'));

  fs.writeFileSync(path.join(src, 'big.bin'), randomBytes(4 * 1024 * KiB));
  const controller = new AbortController();
  let fed = 0;
  let uploaded = 0;
  async function* abortingSource(): AsyncGenerator<SourceEntry> {
    for await (const entry of folderSource(src)) {
      const body = entry.body;
      if (!body) {
        yield entry;
        continue;
      }
      yield {
        header: entry.header,
        body: (async function* () {
          for await (const part of body) {
            // Small pieces with pauses, so packs get sealed and uploaded before the cancel.
            for (let pos = 0; pos < (part as Buffer).length; pos += 128 * KiB) {
              yield (part as Buffer).subarray(pos, pos + 128 * KiB);
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            fed += (part as Buffer).length;
            // Three of big.bin's four 1 MiB blocks read: chunked on an engine thread and packed meanwhile.
            if (fed >= 3 * 1024 * KiB && !controller.signal.aborted) {
              uploaded = packFiles(storeDir).length - packsV1.length;
              controller.abort(); // mid-way through big.bin
            }
          }
        })(),
      };
    }
  }
  await assertDvomError(
    backup(repo, abortingSource(), { sourceKind: 'path', signal: controller.signal, writer: { packSize: 64 * KiB } }),
    'CANCELLED',
  );
  assert.ok(uploaded >= 5, `packs were stored before the cancel (${uploaded})`);
  assert.deepEqual(packFiles(storeDir), packsV1, 'the cancelled backup left no pack behind');
  assert.deepEqual(listFiles(storeDir).filter((f) => f.includes('/index/')), indexV1, 'no index was written');
  assert.deepEqual((await repo.versions()).map((v) => v.id), [v1.id], 'no version appeared');
  assert.deepEqual(listFiles(storeDir).filter((f) => f.includes('/locks/')), [], 'the lock was released');
  // Packs stream to the store while they fill: the one being written when the cancel came is removed, not left half-written.
  assert.deepEqual(listFiles(storeDir).filter((f) => path.basename(f).startsWith('.tmp-')), [], 'no partial pack left');
  const noted = await verify(repo);
  assert.deepEqual(noted.errors, []);
  assert.deepEqual(noted.notes.filter((n) => n.includes('not referenced')), []);
  assert.deepEqual(await estimatePrune(repo, { unindexedGraceMs: 0 }), { bytesToFree: 0, packsToDelete: 0, packsToRepack: 0, blobsToRemove: 0, packsSpared: 0 });

  const v2 = await backup(repo, folderSource(src), { sourceKind: 'path', writer: { packSize: 64 * KiB } });
  // A writer that crashed (no cancel to clean up after it) leaves packs no index names: a copy of one stands in for them.
  const crashed = `backups/test/packs/${'ee'}/${'ee'.padEnd(64, '0')}`;
  fs.mkdirSync(path.dirname(path.join(storeDir, crashed)), { recursive: true });
  fs.copyFileSync(path.join(storeDir, packsV1[0]!), path.join(storeDir, crashed));
  const orphans = [crashed];
  // Packs no index names, younger than the lock timeout, may belong to a writer still running elsewhere: kept.
  const young = await prune(repo);
  assert.equal(young.packsSpared, orphans.length, JSON.stringify(young));
  for (const p of orphans) assert.ok(fs.existsSync(path.join(storeDir, p)), `young orphan ${p} kept`);
  ageFiles(storeDir, orphans, STALE_LOCK_MS + 60_000);
  const estimate = await estimatePrune(repo);
  const report = await prune(repo);
  assert.ok(report.packsDeleted >= orphans.length && report.packsSpared === 0, JSON.stringify(report));
  assert.equal(estimate.bytesToFree, report.bytesFreed, 'the estimate is what prune freed');
  for (const p of orphans) assert.ok(!fs.existsSync(path.join(storeDir, p)), `orphan ${p} removed`);
  await assertClean(repo);
  const out = path.join(base, 'out');
  await restoreToFolder(repo, v2, out);
  await assertSameTree(src, out);
});

test('prune repacks a pack that is mostly dead and keeps one that is mostly live', async (t) => {
  // Threshold: a pack is repacked once at least 20 % of it is unused.
  for (const [deadSize, expectRepack] of [[600 * KiB, true], [64 * KiB, false]] as const) {
    const base = tempDir(t, 'repack');
    const src = path.join(base, 'src');
    fs.mkdirSync(src);
    const dead = randomBytes(deadSize);
    fs.writeFileSync(path.join(src, 'dead.bin'), dead);
    fs.writeFileSync(path.join(src, 'live.bin'), randomBytes(1536 * KiB));
    const storeDir = path.join(base, 'store');
    const { store, repo } = await createRepo(storeDir);
    await backup(repo, folderSource(src), { sourceKind: 'path' }); // one pack holds both files
    assert.equal(packFiles(storeDir).length, 1);
    fs.rmSync(path.join(src, 'dead.bin'));
    const v2 = await backup(repo, folderSource(src), { sourceKind: 'path' });
    const snap2 = await snapshotTree(src);
    const storedBefore = (await overview(store, 'test')).storedBytes;
    const { pruned } = await forget(repo, { last: 1 }, { prune: true });
    assert.ok(pruned);
    assert.equal(pruned.packsRepacked, expectRepack ? 1 : 0, JSON.stringify(pruned));
    assert.ok(pruned.blobsRemoved > 0);
    const freed = storedBefore - (await overview(store, 'test')).storedBytes;
    if (expectRepack) assert.ok(freed >= deadSize * 0.9, `freed ${freed}`);
    await assertClean(repo);
    const out = path.join(base, 'out');
    assert.deepEqual(snapshotDifferences(snap2, await restoredSnapshot(repo, v2, out)), []);

    // The dropped blobs are really gone from the index: backing the file up again stores it again.
    fs.writeFileSync(path.join(src, 'dead.bin'), dead);
    const v3 = await backup(repo, folderSource(src), { sourceKind: 'path' });
    assert.ok(v3.stats.addedBytes >= deadSize, `re-added ${v3.stats.addedBytes}`);
    await assertClean(repo);
    const out3 = path.join(base, 'out3');
    await restoreToFolder(repo, v3, out3);
    assert.ok(fs.readFileSync(path.join(out3, 'dead.bin')).equals(dead));
  }
});

test('prune drops packs that hold only second copies of blobs (a lost lock, an interrupted index write)', async (t) => {
  const base = tempDir(t, 'dup-packs');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  const content = randomBytes(1 * KiB); // below the chunker's minimum: stored as one blob
  fs.writeFileSync(path.join(src, 'small.bin'), content);
  const storeDir = path.join(base, 'store');
  const { repo } = await createRepo(storeDir);
  const v1 = await backup(repo, folderSource(src), { sourceKind: 'path' });
  // Two more packs, each in an index of its own, holding a second and a third copy of the file's blob:
  // whichever copy the index picks, at least one of these packs holds nothing the index points at.
  for (let i = 0; i < 2; i++) {
    const copies = new BlobIndex();
    const writer = repo.blobWriter(copies);
    await writer.add('data', content);
    await writer.flush();
    await repo.writeIndex([...copies.byPack()].map(([id, blobs]) => ({ info: copies.packs.get(id)!, blobs })));
  }
  assert.equal(packFiles(storeDir).length, 3);
  await prune(repo, { unindexedGraceMs: 0 });
  const { index } = await repo.loadIndex();
  const byPack = index.byPack();
  for (const [pack, blobs] of byPack) assert.ok(blobs.length > 0, `pack ${pack} is kept although no blob of it is used`);
  assert.equal(packFiles(storeDir).length, byPack.size, 'every pack left in the store is one the index uses');
  await assertClean(repo);
  const out = path.join(base, 'out');
  await restoreToFolder(repo, v1, out);
  assert.ok(fs.readFileSync(path.join(out, 'small.bin')).equals(content));
});

test('backup names that could escape the store are refused', async (t) => {
  const base = tempDir(t, 'names');
  const storeDir = path.join(base, 'store');
  const store = (await createRepo(storeDir, 'ok')).store;
  for (const name of ['../evil', 'a/b', '.hidden', '', 'x'.repeat(129), 'sp ace']) {
    await assertDvomError(Repository.create(store, name, { encrypted: false }), 'USAGE', /invalid backup name/);
  }
  assert.deepEqual(await listBackupNames(store), ['ok']);
  assert.deepEqual(fs.readdirSync(path.join(storeDir, 'backups')), ['ok']);
});

// ---------------------------------------------------------------- locks

/** A fresh store with backup 'test', and a source folder holding one small file. */
async function lockTestRepo(t: TestContext, label: string) {
  const base = tempDir(t, label);
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f'), 'x');
  const storeDir = path.join(base, 'store');
  return { base, src, storeDir, ...(await createRepo(storeDir)) };
}

test('a second writer gets LOCKED while the first holds the lock', async (t) => {
  const { base, src, storeDir, store, repo } = await lockTestRepo(t, 'lock');
  await backup(repo, folderSource(src), { sourceKind: 'path' });
  const other = await Repository.open(store, 'test', password());

  await repo.locked('holder-op', true, async () => {
    assert.equal(lockFiles(storeDir).length, 1);
    await assertDvomError(backup(other, folderSource(src), { sourceKind: 'path' }), 'LOCKED', /in use by 'holder-op'/);
    await assertDvomError(prune(other), 'LOCKED');
    await assertDvomError(verify(other), 'LOCKED', /in use by 'holder-op'/);
    await assertDvomError(restoreToFolder(other, await other.version('latest'), path.join(base, 'o1')), 'LOCKED');
  });
  assert.deepEqual(lockFiles(storeDir), [], 'the holder released its lock');
  assert.ok(!fs.existsSync(path.join(base, 'o1')));

  // Readers share: a reader lock blocks writers but not other readers.
  await repo.locked('reader-op', false, async () => {
    assert.deepEqual((await verify(other)).errors, []);
    await assertDvomError(backup(other, folderSource(src), { sourceKind: 'path' }), 'LOCKED', /in use by 'reader-op'/);
  });
  await backup(other, folderSource(src), { sourceKind: 'path' });
  assert.equal((await repo.versions()).length, 2);
  assert.deepEqual(lockFiles(storeDir), []);
});

test('stale locks (dead process on this host, or not refreshed for too long) are removed', async (t) => {
  const { src, storeDir, repo } = await lockTestRepo(t, 'stale');
  const child = spawnSync(process.execPath, ['-e', '0']);
  const deadPid = child.pid!;
  assert.throws(() => process.kill(deadPid, 0), /ESRCH/, 'the child has exited');
  const now = new Date().toISOString();
  const dead = writeLock(storeDir, { host: hostname(), pid: deadPid, operation: 'backup', exclusive: true, createdAt: now, refreshedAt: now });
  const old = new Date(Date.now() - STALE_LOCK_MS - 60_000).toISOString();
  const expired = writeLock(storeDir, { host: 'some-other-host', pid: 1, operation: 'prune', exclusive: true, createdAt: old, refreshedAt: old });
  // Ages count by the store's clock: the object was last written as long ago as its timestamp says.
  fs.utimesSync(path.join(storeDir, expired), new Date(old), new Date(old));
  await backup(repo, folderSource(src), { sourceKind: 'path' });
  assert.ok(!fs.existsSync(path.join(storeDir, dead)), 'lock of a dead process removed');
  assert.ok(!fs.existsSync(path.join(storeDir, expired)), 'expired lock removed');
  assert.deepEqual(lockFiles(storeDir), []);

  // Controls: a live lock from another host, or from a live process here, still blocks.
  const live = writeLock(storeDir, { host: 'some-other-host', pid: 1, operation: 'backup', exclusive: true, createdAt: now, refreshedAt: new Date().toISOString() });
  await assertDvomError(backup(repo, folderSource(src), { sourceKind: 'path' }), 'LOCKED', /some-other-host/);
  assert.ok(fs.existsSync(path.join(storeDir, live)));
  fs.unlinkSync(path.join(storeDir, live));
  // A live process here (not this one: a lock of ours that we no longer hold is stale by design).
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  t.after(() => sleeper.kill());
  const mine = writeLock(storeDir, { host: hostname(), pid: sleeper.pid!, operation: 'backup', exclusive: true, createdAt: now, refreshedAt: new Date().toISOString() });
  await assertDvomError(verify(repo), 'LOCKED');
  fs.unlinkSync(path.join(storeDir, mine));
  // One of this process's own locks that it does not hold (its release failed) does not block it.
  const leftover = writeLock(storeDir, { host: hostname(), pid: process.pid, operation: 'backup', exclusive: true, createdAt: now, refreshedAt: new Date().toISOString() });
  assert.deepEqual((await verify(repo)).errors, []);
  assert.ok(!fs.existsSync(path.join(storeDir, leftover)), 'our own leftover lock removed');
  assert.deepEqual((await verify(repo)).errors, []);
});

// ---------------------------------------------------------------- retention

interface Fake {
  id: string;
  createdAt: string;
}

function fake(date: Date): Fake {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return { id: `${stamp}-${randomBytes(3).toString('hex')}`, createdAt: date.toISOString() };
}

/** Every 6 hours (03, 09, 15, 21 UTC) from 2024-01-01 to 2024-02-29, except Feb 25-26 (a gap). */
function history(): Fake[] {
  const out: Fake[] = [];
  for (let t = Date.UTC(2024, 0, 1, 3); t <= Date.UTC(2024, 1, 29, 21); t += 6 * 3600_000) {
    const d = new Date(t);
    if (d.getUTCMonth() === 1 && (d.getUTCDate() === 25 || d.getUTCDate() === 26)) continue;
    out.push(fake(d));
  }
  return out;
}

const at = (s: string) => new Date(s).toISOString();
const kept = (versions: Fake[], policy: RetentionPolicy) =>
  applyRetention(versions, policy).keep.map((k) => k.version.createdAt);

test('retention: synthetic 60-day history, rule by rule', () => {
  const versions = history();
  assert.equal(versions.length, 60 * 4 - 8);
  // Input order must not matter.
  const shuffled = [...versions].sort(() => Math.random() - 0.5);

  assert.deepEqual(kept(shuffled, { last: 3 }), [at('2024-02-29T21:00Z'), at('2024-02-29T15:00Z'), at('2024-02-29T09:00Z')]);
  assert.deepEqual(kept(shuffled, { hourly: 5 }), ['2024-02-29T21', '2024-02-29T15', '2024-02-29T09', '2024-02-29T03', '2024-02-28T21'].map((h) => at(`${h}:00Z`)));
  // The 7 most recent days that HAVE versions: the gap (25th, 26th) is skipped, not counted.
  assert.deepEqual(kept(shuffled, { daily: 7 }), ['29', '28', '27', '24', '23', '22', '21'].map((d) => at(`2024-02-${d}T21:00Z`)));
  // ISO weeks (Monday-Sunday): 2024-W09 (newest: Thu 29th), W08 (gap on Sun 25th → Sat 24th), W07, W06.
  assert.deepEqual(kept(shuffled, { weekly: 4 }), ['2024-02-29', '2024-02-24', '2024-02-18', '2024-02-11'].map((d) => at(`${d}T21:00Z`)));
  assert.deepEqual(kept(shuffled, { monthly: 5 }), [at('2024-02-29T21:00Z'), at('2024-01-31T21:00Z')]);
  assert.deepEqual(kept(shuffled, { yearly: 3 }), [at('2024-02-29T21:00Z')]);
  // More periods asked for than exist: one per existing day.
  assert.equal(kept(shuffled, { daily: 1000 }).length, 58);
});

test('retention: rules combine, and a version kept by several rules lists every reason', () => {
  const versions = history();
  const decision = applyRetention(versions, { last: 2, daily: 7, weekly: 4, monthly: 2 });
  const reasons = Object.fromEntries(decision.keep.map((k) => [k.version.createdAt, k.reasons]));
  assert.deepEqual(reasons, {
    [at('2024-02-29T21:00Z')]: ['last', 'daily', 'weekly', 'monthly'],
    [at('2024-02-29T15:00Z')]: ['last'],
    [at('2024-02-28T21:00Z')]: ['daily'],
    [at('2024-02-27T21:00Z')]: ['daily'],
    [at('2024-02-24T21:00Z')]: ['daily', 'weekly'],
    [at('2024-02-23T21:00Z')]: ['daily'],
    [at('2024-02-22T21:00Z')]: ['daily'],
    [at('2024-02-21T21:00Z')]: ['daily'],
    [at('2024-02-18T21:00Z')]: ['weekly'],
    [at('2024-02-11T21:00Z')]: ['weekly'],
    [at('2024-01-31T21:00Z')]: ['monthly'],
  });
  // Keep and remove partition the input; keep is newest first.
  assert.equal(decision.keep.length + decision.remove.length, versions.length);
  const keptIds = new Set(decision.keep.map((k) => k.version.id));
  assert.ok(decision.remove.every((v) => !keptIds.has(v.id)));
  const times = decision.keep.map((k) => k.version.createdAt);
  assert.deepEqual(times, [...times].sort().reverse());
});

test('retention: ISO weeks and months across year boundaries', () => {
  // One version a day at noon, 2019-12-01 .. 2022-01-15 (Saturday).
  const versions: Fake[] = [];
  for (let t = Date.UTC(2019, 11, 1, 12); t <= Date.UTC(2022, 0, 15, 12); t += 86400_000) versions.push(fake(new Date(t)));
  const newest = at('2022-01-15T12:00Z');

  // Weekly: the newest version of every Monday-Sunday week = every Sunday, plus the newest overall.
  const weekly = new Set(kept(versions, { weekly: 1000 }));
  const expectedWeekly = new Set(versions.filter((v) => new Date(v.createdAt).getUTCDay() === 0).map((v) => v.createdAt));
  expectedWeekly.add(newest);
  assert.deepEqual([...weekly].sort(), [...expectedWeekly].sort());
  // e.g. Sun 2021-01-03 is in 2020-W53 together with Thu 2020-12-31, which is therefore not kept.
  assert.ok(weekly.has(at('2021-01-03T12:00Z')) && !weekly.has(at('2020-12-31T12:00Z')));

  const monthly = new Set(kept(versions, { monthly: 1000 }));
  const expectedMonthly = new Set(
    versions.filter((v) => new Date(new Date(v.createdAt).getTime() + 86400_000).getUTCDate() === 1).map((v) => v.createdAt),
  );
  expectedMonthly.add(newest);
  assert.deepEqual([...monthly].sort(), [...expectedMonthly].sort());

  assert.deepEqual(kept(versions, { yearly: 10 }), [newest, at('2021-12-31T12:00Z'), at('2020-12-31T12:00Z'), at('2019-12-31T12:00Z')]);
});

test('retention: a policy that keeps nothing is refused', () => {
  const versions = history();
  for (const policy of [{}, { last: 0 }, { last: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0, hourly: 0 }] as RetentionPolicy[]) {
    assert.throws(() => applyRetention(versions, policy), (e: unknown) => (e as { code?: string }).code === 'USAGE', JSON.stringify(policy));
  }
  for (const policy of [{ last: -1 }, { daily: 1.5 }, { weekly: Number.NaN }] as RetentionPolicy[]) {
    assert.throws(() => applyRetention(versions, policy), /whole number/, JSON.stringify(policy));
  }
  assert.deepEqual(applyRetention([], { last: 1 }), { keep: [], remove: [] });
});
