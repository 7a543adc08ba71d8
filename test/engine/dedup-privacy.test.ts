/**
 * Deduplication (unchanged data costs nothing, a small change costs a few
 * chunks) and privacy (an encrypted store reveals no file name, content or
 * source path; only what listing needs is plaintext).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import {
  backup,
  folderSource,
  listBackups,
  overview,
  restoreToFolder,
  versionsOf,
} from '../../src/main/engine/index.ts';
import { coarseBytes } from '../../src/main/engine/repo/version-file.ts';
import {
  assertSameTree,
  compressibleText,
  createRepo,
  dataBlobs,
  listFiles,
  packFiles,
  SMALL_CHUNKER,
  tempDir,
  versionFiles,
} from './helpers.ts';

const MiB = 1024 * 1024;

/** ~20 MiB: big random files (one twice), compressible text, many small files, repeated blocks. */
function mixedDataset(root: string): number {
  let total = 0;
  const put = (rel: string, data: Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
    total += data.length;
  };
  const randoms = [0, 1, 2].map((i) => randomBytes(3 * MiB + i * 1000));
  randoms.forEach((data, i) => put(`big/random-${i}.bin`, data));
  put('big/copy-of-random-1.bin', randoms[1]!);
  put('text/log.txt', compressibleText(4 * MiB));
  for (let i = 0; i < 200; i++) put(`small/${i % 10}/f${i}.dat`, randomBytes(5_000 + i * 37));
  const block = randomBytes(256 * 1024);
  put('disk/repeated.img', Buffer.concat(Array.from({ length: 8 }, () => block)));
  put('disk/zeros.img', Buffer.alloc(2 * MiB));
  return total;
}

test('a second backup of unchanged data adds < 0.1 % of the first one', async (t) => {
  const base = tempDir(t, 'dedup');
  const src = path.join(base, 'src');
  const total = mixedDataset(src);
  assert.ok(total > 19 * MiB);
  const storeDir = path.join(base, 'store');
  const { repo } = await createRepo(storeDir);
  const first = await backup(repo, folderSource(src), { sourceKind: 'path', sourcePath: src });
  assert.ok(first.stats.addedStoredBytes > 10 * MiB, `first backup stored ${first.stats.addedStoredBytes}`);
  assert.ok(first.stats.addedBytes < total, 'the duplicate file is deduplicated within the first backup');
  const filesBefore = listFiles(storeDir);

  const second = await backup(repo, folderSource(src), { sourceKind: 'path', sourcePath: src });
  assert.equal(second.stats.bytes, first.stats.bytes);
  assert.ok(
    second.stats.addedStoredBytes < first.stats.addedStoredBytes * 0.001,
    `second backup added ${second.stats.addedStoredBytes} stored bytes (first: ${first.stats.addedStoredBytes})`,
  );
  // Only the new version file appeared: no pack, no index.
  const added = listFiles(storeDir).filter((f) => !filesBefore.includes(f));
  assert.deepEqual(added, [`backups/test/versions/${second.id}.json`]);

  // Touching every file changes only metadata: no new data chunk.
  const blobsBefore = await dataBlobs(repo);
  const now = Date.now() / 1000;
  for (const f of listFiles(src)) fs.utimesSync(path.join(src, f), now, now);
  const third = await backup(repo, folderSource(src), { sourceKind: 'path', sourcePath: src });
  assert.deepEqual(await dataBlobs(repo), blobsBefore);
  assert.ok(third.stats.addedStoredBytes < first.stats.addedStoredBytes * 0.01);

  const out = path.join(base, 'out');
  await restoreToFolder(repo, third, out);
  await assertSameTree(src, out);
});

/** The same bytes every run, so the chunk counts below are deterministic. */
function seededBytes(label: string, size: number): Buffer {
  const key = createHash('sha256').update(label).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

test('a small change to one big file adds only a few chunks', async (t) => {
  const base = tempDir(t, 'smallchange');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  const big = seededBytes('big', 8 * MiB);
  fs.writeFileSync(path.join(src, 'big.bin'), big);
  fs.writeFileSync(path.join(src, 'other.bin'), seededBytes('other', MiB));
  // Plain repository: its cut points come from the public gear table, not a random key, so
  // with seeded data the counts cannot vary between runs (the bounds are never loosened).
  const { repo } = await createRepo(path.join(base, 'store'), 'test', { chunker: SMALL_CHUNKER, encrypted: false });
  const v1 = await backup(repo, folderSource(src), { sourceKind: 'path' });
  const blobs1 = await dataBlobs(repo);
  assert.ok(blobs1.size > 500, `8 MiB in ~8 KiB chunks: ${blobs1.size} chunks`);

  // Overwrite 100 bytes in the middle.
  const changed = Buffer.from(big);
  seededBytes('edit', 100).copy(changed, 5 * MiB);
  fs.writeFileSync(path.join(src, 'big.bin'), changed);
  const v2 = await backup(repo, folderSource(src), { sourceKind: 'path' });
  const blobs2 = await dataBlobs(repo);
  const new2 = [...blobs2].filter((b) => !blobs1.has(b));
  // Usually 1 chunk; a cut point created or destroyed by the edit can take a couple more to resynchronise.
  assert.ok(new2.length >= 1 && new2.length <= 4, `overwrite: ${new2.length} new chunks`);
  assert.ok(v2.stats.addedBytes <= 4 * SMALL_CHUNKER.maxSize + 64 * 1024, `overwrite added ${v2.stats.addedBytes} bytes`);

  // Insert 10 bytes: content-defined chunking resynchronises after the edit.
  const inserted = Buffer.concat([changed.subarray(0, 2 * MiB), seededBytes('insert', 10), changed.subarray(2 * MiB)]);
  fs.writeFileSync(path.join(src, 'big.bin'), inserted);
  const v3 = await backup(repo, folderSource(src), { sourceKind: 'path' });
  const new3 = [...(await dataBlobs(repo))].filter((b) => !blobs2.has(b));
  assert.ok(new3.length >= 1 && new3.length <= 4, `insert: ${new3.length} new chunks`);
  assert.ok(v3.stats.addedBytes <= 4 * SMALL_CHUNKER.maxSize + 64 * 1024, `insert added ${v3.stats.addedBytes} bytes`);

  // All three versions still restore exactly.
  for (const [v, content] of [[v1, big], [v2, changed], [v3, inserted]] as const) {
    const out = path.join(base, `out-${v.id}`);
    await restoreToFolder(repo, v, out);
    assert.ok(fs.readFileSync(path.join(out, 'big.bin')).equals(content));
  }
});

test('an encrypted version shows only coarse sizes in the clear; the exact ones are in its encrypted part (L1)', async (t) => {
  const base = tempDir(t, 'coarse');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.bin'), randomBytes(3 * MiB + 12_345));
  fs.writeFileSync(path.join(src, 'log.txt'), compressibleText(MiB + 777));
  for (const encrypted of [true, false]) {
    const storeDir = path.join(base, `store-${encrypted}`);
    const { store, repo } = await createRepo(storeDir, 'test', { encrypted });
    const made = await backup(repo, folderSource(src), { sourceKind: 'path' });
    const [file] = versionFiles(storeDir);
    const plain = JSON.parse(fs.readFileSync(path.join(storeDir, file!), 'utf8')).stats;
    const [listed] = await versionsOf(store, 'test');
    const [unlocked] = await repo.versions();
    assert.deepEqual(unlocked!.stats, made.stats, 'the key holder reads the exact stats');
    assert.deepEqual(listed!.stats, plain);
    if (!encrypted) {
      assert.deepEqual(plain, made.stats, 'a plain backup keeps exact stats');
      continue;
    }
    for (const k of ['files', 'dirs', 'links'] as const) assert.equal(plain[k], made.stats[k]);
    for (const k of ['bytes', 'addedBytes', 'addedStoredBytes'] as const) {
      assert.notEqual(plain[k], made.stats[k], `${k} is not exact in the clear`);
      assert.ok(plain[k] >= made.stats[k] && plain[k] <= made.stats[k] * 1.07 + 4096, `${k}: ${plain[k]} for ${made.stats[k]}`);
      assert.equal(plain[k] % 4096, 0);
    }
    assert.equal(plain.durationMs % 1000, 0);
    assert.ok(!fs.readFileSync(path.join(storeDir, file!), 'utf8').includes(String(made.stats.addedBytes)), 'the exact size is nowhere in the clear');
  }
});

const MARKER = 'ZEBRA-MARKER-8f3a';

/** A source tree with the marker in folder, file and link names, in text and in incompressible content. */
function markedSource(base: string): string {
  const src = path.join(base, `src-${MARKER}`);
  fs.mkdirSync(path.join(src, `dir-${MARKER}`), { recursive: true });
  fs.writeFileSync(path.join(src, `dir-${MARKER}`, `file-${MARKER}.txt`), `text with ${MARKER} inside\n`.repeat(100));
  fs.writeFileSync(
    path.join(src, 'opaque.bin'),
    Buffer.concat([randomBytes(100_000), Buffer.from(MARKER), randomBytes(100_000)]),
  );
  fs.symlinkSync(`target-${MARKER}`, path.join(src, 'link'));
  return src;
}

function filesContaining(storeDir: string, needle: Buffer): string[] {
  return listFiles(storeDir).filter((f) => fs.readFileSync(path.join(storeDir, f)).includes(needle));
}

test('an encrypted store contains no file name, content or source path in the clear', async (t) => {
  const base = tempDir(t, 'privacy');
  const src = markedSource(base);
  const storeDir = path.join(base, 'store');
  const { store, repo } = await createRepo(storeDir, 'db');
  const v = await backup(repo, folderSource(src), { sourceKind: 'volume', volumes: ['pgdata'], sourcePath: src });
  await backup(repo, folderSource(src), { sourceKind: 'volume', volumes: ['pgdata'], sourcePath: src });

  const needles = [MARKER, 'zebra-marker-8f3a', Buffer.from(MARKER).toString('hex'), Buffer.from(MARKER).toString('base64').slice(0, 16)];
  for (const needle of [...needles.map((n) => Buffer.from(n)), Buffer.from(MARKER, 'utf16le')]) {
    const hits = filesContaining(storeDir, needle);
    assert.deepEqual(hits, [], `'${needle.toString()}' found in ${hits.join(', ')}`);
  }
  // Nothing of the source path either (it is kept inside the encrypted tree root).
  assert.deepEqual(filesContaining(storeDir, Buffer.from(base)), []);

  // The volume names are plaintext by design: listing needs them without a password.
  const versionText = versionFiles(storeDir, 'db').map((f) => fs.readFileSync(path.join(storeDir, f), 'utf8'));
  assert.equal(versionText.length, 2);
  for (const text of versionText) assert.match(text, /"pgdata"/);

  const info = await overview(store, 'db');
  assert.equal(info.encrypted, true);
  assert.equal(info.versions, 2);
  assert.deepEqual(info.volumes, ['pgdata']);
  assert.equal(info.sourceKind, 'volume');
  assert.equal(info.kdf, 'scrypt N=1024 r=8 p=1');
  assert.equal(info.totalVersionBytes, 2 * coarseBytes(v.stats.bytes), 'listing sees the coarse sizes (L1)');
  assert.ok(info.storedBytes > 200_000);
  assert.deepEqual((await listBackups(store)).map((b) => b.name), ['db']);
  assert.deepEqual((await versionsOf(store, 'db')).map((x) => x.volumes), [['pgdata'], ['pgdata']]);
});

test('a plain store does hold the content in the clear (sanity check of the privacy test)', async (t) => {
  const base = tempDir(t, 'privacy-plain');
  const src = markedSource(base);
  const storeDir = path.join(base, 'store');
  const { store, repo } = await createRepo(storeDir, 'db', { encrypted: false });
  await backup(repo, folderSource(src), { sourceKind: 'volume', volumes: ['pgdata'] });
  const hits = filesContaining(storeDir, Buffer.from(MARKER));
  const packs = packFiles(storeDir, 'db');
  assert.ok(hits.some((f) => packs.includes(f)), `the incompressible content holds the marker in a pack: ${hits.join(', ')}`);
  const info = await overview(store, 'db');
  assert.equal(info.encrypted, false);
  assert.equal(info.kdf, undefined);
});
