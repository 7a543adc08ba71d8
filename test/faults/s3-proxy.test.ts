/**
 * S3 faults between DVOM and a real Ceph RGW, injected by a proxy: 500, 503,
 * SlowDown, connection resets (before the store saw a request, or after it
 * handled it and the answer was lost), truncated bodies and 5 s stalls.
 * The AWS SDK retries each request (standard mode, 5 attempts): a passing
 * fault must be absorbed, a lasting one must fail with a coded error. After
 * each: verify --read-data is clean, exactly the committed versions are
 * visible, and the next run without faults works. At the end every version
 * restores as it was taken.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backup, folderSource, prune, Repository, restoreToFolder, verify, type VersionSummary } from '../../src/main/engine/index.ts';
import { S3Backend } from '../../src/main/engine/storage/s3-backend.ts';
import { FaultProxy, type FaultRule } from '../support/fault-proxy.ts';
import { assertDvomError, CHEAP_SCRYPT, password, snapshotTree } from '../engine/helpers.ts';
import { SKIP_REASON, s3TestEnv, useS3TestFile } from '../s3/s3-fixtures.ts';
import { assertIntact, assertRestores, growSource, restoreLeftovers, type Expected } from './fault-fixtures.ts';

const env = s3TestEnv();
const skip = env ? false : SKIP_REASON;
const fixture = useS3TestFile(env, 'faults');
const NAME = 'faults';
/** Small packs, so one backup of GROWTH bytes uploads several. */
const WRITER = { packSize: 64 * 1024 };
const GROWTH = 160 * 1024;
const TIMEOUT = 60_000;
const PACK_PUT = { method: 'PUT', path: /\/packs\// };
const PACK_GET = { method: 'GET', path: /\/packs\// };

let proxy: FaultProxy;
let source: string;
let scratch: string;
const expected: Expected = new Map();

/** A fresh client through the proxy (each has its own SDK retry quota). */
function openBackend(): S3Backend {
  return fixture.bucket.backend({ endpoint: proxy.endpoint });
}

async function openRepo(): Promise<Repository> {
  return Repository.open(openBackend(), NAME, password());
}

/** Grows the source and backs it up under `rules`; a success is recorded as expected content. */
async function backupWith(rules: FaultRule[]): Promise<VersionSummary> {
  const repo = await openRepo();
  growSource(source, GROWTH);
  const snapshot = await snapshotTree(source);
  proxy.script(rules);
  try {
    const version = await backup(repo, folderSource(source), { sourceKind: 'path', writer: WRITER });
    expected.set(version.id, snapshot);
    return version;
  } finally {
    proxy.heal();
  }
}

/**
 * Each fault of `kind` fired; a stalled request then went through, any other
 * was sent again by the SDK (a resend after a lost answer may meet its own
 * object: 412, which the backend checks byte for byte).
 */
function assertRetried(kind: string): void {
  const hits = proxy.log.filter((e) => e.fault === kind);
  assert.ok(hits.length, `the proxy injected ${kind}: ${JSON.stringify(proxy.log)}`);
  for (const hit of hits) {
    if (kind === 'stall') {
      assert.ok(hit.status! < 300, `the stalled request went through: ${JSON.stringify(hit)}`);
      continue;
    }
    const again = proxy.log.slice(proxy.log.indexOf(hit) + 1).some((e) => e.method === hit.method && e.path === hit.path);
    assert.ok(again, `the request ${hit.method} ${hit.path} was sent again: ${JSON.stringify(proxy.log)}`);
  }
}

const VERSION_PUT = { method: 'PUT', path: /\/versions\// };
/** Faults a backup absorbs: each group is one backup, each fault one row of the report's table. */
const passing: [string, FaultRule[], string[]][] = [
  [
    'a 500 on the 2nd pack upload, a 503 on the index upload, SlowDown twice on the version upload',
    [
      { ...PACK_PUT, nth: 2, fault: { kind: 'status', status: 500 } },
      { method: 'PUT', path: /\/index\//, fault: { kind: 'status', status: 503 } },
      { ...VERSION_PUT, times: 2, fault: { kind: 'slow-down' } },
    ],
    ['status', 'slow-down'],
  ],
  [
    // After: the store keeps the object, the answer is lost; the resend of a create-only put then meets it.
    'resets before the 2nd pack upload reached the store, and after the store took the 1st pack, the lock and the version',
    [
      { ...PACK_PUT, nth: 2, fault: { kind: 'reset', when: 'before' } },
      { ...PACK_PUT, fault: { kind: 'reset', when: 'after' } },
      { method: 'PUT', path: /\/locks\//, fault: { kind: 'reset', when: 'after' } },
      { ...VERSION_PUT, fault: { kind: 'reset', when: 'after' } },
    ],
    ['reset'],
  ],
  [
    'a lost answer to an index read, a 503 on a listing and a 5 s stall on the 2nd pack upload',
    [
      { method: 'GET', path: /\/index\//, fault: { kind: 'reset', when: 'after' } },
      { method: 'GET', path: /list-type=2/, fault: { kind: 'status', status: 503 } },
      { ...PACK_PUT, nth: 2, fault: { kind: 'stall', ms: 5000 } },
    ],
    ['reset', 'status', 'stall'],
  ],
];

describe('S3 faults through a proxy', () => {
  before(async () => {
    if (!env) return;
    proxy = await FaultProxy.start(env.endpoint);
    source = fixture.tempDir('source');
    scratch = fixture.tempDir('scratch');
    await Repository.create(openBackend(), NAME, { encrypted: true, credential: password(), scrypt: CHEAP_SCRYPT });
    await backupWith([]);
  });

  after(async () => {
    await proxy?.stop();
  });

  for (const [label, rules, kinds] of passing) {
    test(`backup: ${label}: retried, the backup succeeds`, { skip, timeout: TIMEOUT }, async () => {
      const before = expected.size;
      const version = await backupWith(rules);
      assert.equal(proxy.injected().length, rules.reduce((n, r) => n + (r.times ?? 1), 0), 'every scripted fault fired');
      for (const kind of kinds) assertRetried(kind);
      assert.equal(expected.size, before + 1);
      assert.ok(expected.has(version.id));
      // The cheap check here (structure, sizes); the end of the file reads every byte and restores everything.
      const report = await verify(await openRepo());
      assert.deepEqual(report.errors, []);
      assert.deepEqual(report.versionIds.sort(), [...expected.keys()].sort());
    });
  }

  test("backup: a lasting 500 on pack uploads fails with a coded error after the SDK's 5 attempts; no version; the next backup works", { skip, timeout: TIMEOUT }, async () => {
    const rules: FaultRule[] = [{ ...PACK_PUT, times: 1000, fault: { kind: 'status', status: 500 } }];
    const err = await assertDvomError(backupWith(rules), 'ERROR', /store .*packs\/.*HTTP 500/);
    assert.ok(!err.message.includes(env!.secretKey));
    const first = proxy.log.find((e) => e.fault)!;
    assert.equal(proxy.log.filter((e) => e.method === 'PUT' && e.path === first.path).length, 5, 'the SDK sent the failing put 5 times');
    assert.ok(!proxy.log.some((e) => e.method === 'PUT' && /\/(index|versions)\//.test(e.path)), 'no index or version was written');
    assert.deepEqual(await fixture.bucket.keys(`backups/${NAME}/locks/`), [], 'the lock was released');
    await assertIntact(await openRepo(), expected, scratch, { restore: false });
    await backupWith([]);
  });

  test('backup: the version upload reset every time fails with a coded error; no version; the next backup works', { skip, timeout: TIMEOUT }, async () => {
    const rules: FaultRule[] = [{ method: 'PUT', path: /\/versions\//, times: 1000, fault: { kind: 'reset', when: 'before' } }];
    await assertDvomError(backupWith(rules), 'ERROR', /ECONNRESET|socket hang up/);
    assert.equal(proxy.injected().length, 5, 'the SDK tried the version put 5 times');
    assert.deepEqual(await fixture.bucket.keys(`backups/${NAME}/locks/`), [], 'the lock was released');
    await assertIntact(await openRepo(), expected, scratch, { restore: false });
    await backupWith([]);
  });

  test('restore: 503, resets before and after, SlowDown and a 5 s stall on reads are retried; the restore is exact', { skip, timeout: TIMEOUT }, async () => {
    const repo = await openRepo();
    const [latestId, snapshot] = [...expected].at(-1)!;
    proxy.script([
      { ...PACK_GET, nth: 1, fault: { kind: 'status', status: 503 } },
      { ...PACK_GET, nth: 2, fault: { kind: 'reset', when: 'before' } },
      { ...PACK_GET, nth: 3, fault: { kind: 'reset', when: 'after' } },
      { ...PACK_GET, nth: 4, fault: { kind: 'stall', ms: 5000 } },
      { method: 'GET', path: /\/versions\//, fault: { kind: 'slow-down' } },
    ]);
    await assertRestores(repo, latestId, snapshot, scratch);
    proxy.heal();
    for (const kind of ['status', 'reset', 'stall', 'slow-down']) assertRetried(kind);
    assert.equal(proxy.injected().length, 5, 'every scripted fault fired');
  });

  test('restore: a truncated pack body fails with a coded error and leaves no folder; the next restore works', { skip, timeout: TIMEOUT }, async () => {
    const repo = await openRepo();
    const [latestId, snapshot] = [...expected].at(-1)!;
    const version = (await repo.versions()).find((v) => v.id === latestId)!;
    const target = path.join(scratch, 'truncated');
    proxy.script([{ ...PACK_GET, fault: { kind: 'truncate' } }]);
    await assertDvomError(restoreToFolder(repo, version, target), 'ERROR', /ECONNRESET|aborted|premature/i);
    proxy.heal();
    assert.equal(proxy.injected().length, 1);
    assert.ok(!fs.existsSync(target), 'no target folder');
    assert.deepEqual(restoreLeftovers(target), [], 'no staging folder left');
    await assertRestores(repo, latestId, snapshot, scratch);
  });

  test('restore: a store that answers a pack read with more bytes than asked is refused as damage; no folder; the next restore works', { skip, timeout: TIMEOUT }, async () => {
    const repo = await openRepo();
    const [latestId, snapshot] = [...expected].at(-1)!;
    const version = (await repo.versions()).find((v) => v.id === latestId)!;
    const target = path.join(scratch, 'padded');
    proxy.script([{ ...PACK_GET, times: 1000, fault: { kind: 'pad', bytes: 4096 } }]);
    await assertDvomError(restoreToFolder(repo, version, target), 'INTEGRITY', /more than|bytes for/);
    proxy.heal();
    assert.ok(proxy.injected().length >= 1);
    assert.ok(!fs.existsSync(target), 'no target folder');
    assert.deepEqual(restoreLeftovers(target), [], 'no staging folder left');
    await assertRestores(repo, latestId, snapshot, scratch);
  });

  test('verify --read-data: a truncated pack body is a store error (coded), not damage', { skip, timeout: TIMEOUT }, async () => {
    const repo = await openRepo();
    proxy.script([{ ...PACK_GET, nth: 2, fault: { kind: 'truncate' } }]);
    // Before the fix the cut-off read was counted as a damaged pack (the CLI said "damaged", exit 5).
    await assertDvomError(verify(repo, { readData: true }), 'ERROR', /ECONNRESET|aborted|premature/i);
    proxy.heal();
    assert.equal(proxy.injected().length, 1);
    assert.deepEqual((await verify(repo, { readData: true })).errors, []);
  });

  test('prune: a lost answer and a 500 on index deletes are retried; afterwards every version restores as taken', { skip, timeout: TIMEOUT }, async () => {
    const repo = await openRepo();
    proxy.script([
      { method: 'DELETE', path: /\/index\//, fault: { kind: 'reset', when: 'after' } },
      { method: 'DELETE', path: /\/index\//, nth: 2, fault: { kind: 'status', status: 500 } },
    ]);
    const report = await prune(repo);
    proxy.heal();
    assertRetried('reset');
    assertRetried('status');
    // The failed backups left packs (indexed but unused, or unindexed and young): removed or spared, never a used one.
    assert.ok(report.packsDeleted + report.packsSpared > 0, JSON.stringify(report));
    await assertIntact(await openRepo(), expected, scratch);
  });
});
