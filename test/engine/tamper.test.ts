/**
 * Tampering with any stored object of a backup must be detected, with an
 * INTEGRITY error (or a verify report naming the problem), never silently
 * restored as wrong data.
 */
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  backup,
  checkVersionContent,
  folderSource,
  LocalBackend,
  Repository,
  restoreToFolder,
  restoreToTar,
  verify,
} from '../../src/main/engine/index.ts';
import type { VersionSummary } from '../../src/main/engine/index.ts';
import {
  assertDvomError,
  compressibleText,
  createRepo,
  indexFiles,
  listFiles,
  packFiles,
  password,
  removeTree,
  SMALL_CHUNKER,
  tempDir,
  versionFiles,
} from './helpers.ts';

const HEADER = 8 + 1 + 32;
const SEGMENT = 65536;
const SEALED = SEGMENT + 16;
const PASSWORD_VARIANT = 'correct horse battery staple '; // trailing space: a different password

let pristine: string;
let sourceDir: string;

before(async () => {
  pristine = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-test-tamper-'));
  sourceDir = path.join(pristine, 'src');
  fs.mkdirSync(sourceDir);
  fs.writeFileSync(path.join(sourceDir, 'random.bin'), randomBytes(1536 * 1024));
  fs.writeFileSync(path.join(sourceDir, 'text.txt'), compressibleText(200_000));
  fs.writeFileSync(path.join(sourceDir, 'small'), 'small file\n');
  const { repo } = await createRepo(path.join(pristine, 'enc'), 'test', { chunker: SMALL_CHUNKER });
  await backup(repo, folderSource(sourceDir), { sourceKind: 'path', writer: { packSize: 256 * 1024 } });
  const plain = await createRepo(path.join(pristine, 'plain'), 'test', { encrypted: false, chunker: SMALL_CHUNKER });
  await backup(plain.repo, folderSource(sourceDir), { sourceKind: 'path', writer: { packSize: 256 * 1024 } });
});

after(() => removeTree(pristine));

/** A private copy of the pristine store for one test. */
function copyStore(t: TestContext, which: 'enc' | 'plain' = 'enc') {
  const dir = tempDir(t, 'tamper');
  const storeDir = path.join(dir, 'store');
  fs.cpSync(path.join(pristine, which), storeDir, { recursive: true });
  return { dir, storeDir, store: new LocalBackend(storeDir), abs: (rel: string) => path.join(storeDir, rel) };
}

const open = (store: LocalBackend) => Repository.open(store, 'test', password());

/** Packs sorted by size, largest first (the largest has several segments). */
function packsBySize(storeDir: string): string[] {
  return packFiles(storeDir).sort((a, b) => fs.statSync(path.join(storeDir, b)).size - fs.statSync(path.join(storeDir, a)).size);
}

/** Restoring must fail with INTEGRITY (message matching `message`) and leave no target behind. */
async function assertRestoreFails(t: TestContext, repo: Repository, message: RegExp, version?: VersionSummary) {
  const out = path.join(tempDir(t, 'out'), 'restored');
  await assertDvomError(restoreToFolder(repo, version ?? (await repo.version('latest')), out), 'INTEGRITY', message);
  assert.ok(!fs.existsSync(out), 'a failed restore must not create the target');
}

/** verify --read-data must report an error for `pack` matching `message`. */
async function assertVerifyReports(repo: Repository, message: RegExp, pack?: string) {
  const report = await verify(repo, { readData: true });
  const id = pack ? path.basename(pack) : '';
  assert.ok(
    report.errors.some((e) => e.includes(id) && message.test(e)),
    `verify errors should mention ${id || 'the problem'} and ${message}: ${JSON.stringify(report.errors)}`,
  );
}

function patch(file: string, edit: (data: Buffer) => Buffer) {
  fs.writeFileSync(file, edit(fs.readFileSync(file)));
}

test('sanity: the pristine copies verify clean and restore', async (t) => {
  for (const which of ['enc', 'plain'] as const) {
    const { store } = copyStore(t, which);
    const repo = which === 'enc' ? await open(store) : await Repository.open(store, 'test');
    const report = await verify(repo, { readData: true });
    assert.deepEqual(report.errors, []);
    assert.ok(report.packs >= 3);
    const out = path.join(tempDir(t, 'out'), 'r');
    await restoreToFolder(repo, await repo.version('latest'), out);
    assert.ok(fs.readFileSync(path.join(out, 'random.bin')).equals(fs.readFileSync(path.join(sourceDir, 'random.bin'))));
  }
});

test('a flipped byte in a pack body is detected', async (t) => {
  for (const segment of [0, 2]) {
    const { storeDir, store, abs } = copyStore(t);
    const pack = packsBySize(storeDir)[0]!;
    assert.ok(fs.statSync(abs(pack)).size > 3 * SEALED, 'the largest pack has more than 3 segments');
    patch(abs(pack), (d) => {
      d[HEADER + segment * SEALED + 1000]! ^= 0x01;
      return d;
    });
    const repo = await open(store);
    await assertVerifyReports(repo, new RegExp(`authentication failed at segment ${segment}`), pack);
    await assertRestoreFails(t, repo, /authentication failed/);
    await assertDvomError(checkVersionContent(repo, await repo.version('latest')), 'INTEGRITY', /authentication failed/);
    await assertDvomError(restoreToTar(repo, await repo.version('latest'), new PassThrough().resume()), 'INTEGRITY', /authentication failed/);
  }
});

test('a forced restore of corrupt data leaves the existing target as it was', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const pack = packsBySize(storeDir)[0]!;
  patch(abs(pack), (d) => {
    d[d.length - 100]! ^= 0x40;
    return d;
  });
  const repo = await open(store);
  const parent = tempDir(t, 'target');
  const target = path.join(parent, 'target');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'precious'), 'local data');
  await assertDvomError(restoreToFolder(repo, await repo.version('latest'), target, { force: true }), 'INTEGRITY');
  assert.deepEqual(fs.readdirSync(target), ['precious']);
  assert.equal(fs.readFileSync(path.join(target, 'precious'), 'utf8'), 'local data');
  assert.deepEqual(fs.readdirSync(parent), ['target'], 'no staging folder left behind');
});

test('a pack truncated by one byte is detected', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const pack = packsBySize(storeDir)[0]!;
  const size = fs.statSync(abs(pack)).size;
  fs.truncateSync(abs(pack), size - 1);
  const repo = await open(store);
  const quick = await verify(repo);
  assert.ok(quick.errors.some((e) => e.includes(path.basename(pack)) && e.includes(`has ${size - 1} bytes, expected ${size}`)), JSON.stringify(quick.errors));
  await assertVerifyReports(repo, /authentication failed|truncated/, pack);
  await assertRestoreFails(t, repo, /authentication failed|truncated/);
});

test('a pack truncated by a whole sealed segment is detected by the cipher itself', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const pack = packsBySize(storeDir)[0]!;
  const size = fs.statSync(abs(pack)).size;
  assert.ok(size > HEADER + 2 * SEALED);
  fs.truncateSync(abs(pack), size - SEALED);
  const repo = await open(store);
  // Reading the stream whole: the new last segment was not sealed as the last one.
  await assertVerifyReports(repo, /authentication failed/, pack);
  await assertRestoreFails(t, repo, /authentication failed|truncated/);
});

test('two swapped segments of a pack are detected', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const pack = packsBySize(storeDir)[0]!;
  patch(abs(pack), (d) => {
    const s1 = Buffer.from(d.subarray(HEADER + SEALED, HEADER + 2 * SEALED));
    const s2 = Buffer.from(d.subarray(HEADER + 2 * SEALED, HEADER + 3 * SEALED));
    s2.copy(d, HEADER + SEALED);
    s1.copy(d, HEADER + 2 * SEALED);
    return d;
  });
  const repo = await open(store);
  await assertVerifyReports(repo, /authentication failed at segment 1/, pack);
  await assertRestoreFails(t, repo, /authentication failed/);
});

test('bytes appended to a pack are detected', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const pack = packsBySize(storeDir)[0]!;
  fs.appendFileSync(abs(pack), randomBytes(100));
  const repo = await open(store);
  assert.ok((await verify(repo)).errors.some((e) => e.includes(path.basename(pack))));
  await assertVerifyReports(repo, /authentication failed/, pack);
});

test('two packs with swapped names are detected (objects are bound to their names)', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const [a, b] = packsBySize(storeDir);
  const dataA = fs.readFileSync(abs(a!));
  fs.writeFileSync(abs(a!), fs.readFileSync(abs(b!)));
  fs.writeFileSync(abs(b!), dataA);
  const repo = await open(store);
  const report = await verify(repo, { readData: true });
  for (const p of [a!, b!]) {
    assert.ok(report.errors.some((e) => e.includes(path.basename(p)) && /authentication failed at segment 0/.test(e)), JSON.stringify(report.errors));
  }
  // Restores read a window up to the recorded pack end: the smaller of the two reads as truncated.
  await assertRestoreFails(t, repo, /authentication failed|truncated/);
});

test('an edited index file is detected', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const index = indexFiles(storeDir)[0]!;
  patch(abs(index), (d) => {
    d[HEADER + 10]! ^= 0x80;
    return d;
  });
  const repo = await open(store);
  await assertDvomError(verify(repo, { readData: true }), 'INTEGRITY', /authentication failed/);
  await assertRestoreFails(t, repo, /authentication failed/);
  // A backup must not build on a corrupt index either.
  await assertDvomError(backup(repo, folderSource(sourceDir), { sourceKind: 'path' }), 'INTEGRITY');
});

test('a deleted index file is reported as missing blobs', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const files = indexFiles(storeDir);
  assert.ok(files.length >= 1);
  for (const f of files) fs.unlinkSync(abs(f));
  const repo = await open(store);
  const report = await verify(repo, { readData: true });
  assert.ok(report.errors.some((e) => /missing from the index/.test(e)), JSON.stringify(report.errors));
  assert.ok(report.notes.some((n) => /not referenced by any index/.test(n)));
  await assertRestoreFails(t, repo, /missing from the index/);
});

test('an edited config.json makes open fail with INTEGRITY', async (t) => {
  const { store, abs } = copyStore(t);
  const file = abs('backups/test/config.json');
  const original = fs.readFileSync(file);
  const cfg = JSON.parse(original.toString('utf8')) as Record<string, unknown>;
  cfg.createdAt = '2001-01-01T00:00:00.000Z';
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
  await assertDvomError(open(store), 'INTEGRITY', /config of backup 'test' was modified/);

  const chunker = { ...(JSON.parse(original.toString('utf8')) as Record<string, unknown>), chunker: { minSize: 64, avgSize: 256, maxSize: 1024 } };
  fs.writeFileSync(file, JSON.stringify(chunker, null, 2));
  await assertDvomError(open(store), 'INTEGRITY', /was modified/);

  fs.writeFileSync(file, original);
  await open(store); // the original still opens
});

test('flipping `encrypted` to false in config.json makes open fail', async (t) => {
  const { store, abs } = copyStore(t);
  const file = abs('backups/test/config.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  cfg.encrypted = false;
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
  await assertDvomError(open(store), 'INTEGRITY', /says it is not encrypted, but (it has encryption keys|a password or key was given)/);
  await assertDvomError(Repository.open(store, 'test'), 'INTEGRITY', /not encrypted/);
});

test('a downgraded config without keys never yields readable data', async (t) => {
  // The attacker also deletes the keys: the encrypted objects still cannot be read as plain ones.
  const { store, abs, storeDir } = copyStore(t);
  const file = abs('backups/test/config.json');
  const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  cfg.encrypted = false;
  fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
  fs.rmSync(path.join(storeDir, 'backups/test/keys'), { recursive: true });
  let repo: Repository;
  try {
    repo = await Repository.open(store, 'test');
  } catch (err) {
    await assertDvomError(Promise.reject(err), 'INTEGRITY');
    return;
  }
  await assertRestoreFails(t, repo, /marked as not encrypted but the object is encrypted/);
  await assertDvomError(verify(repo, { readData: true }), 'INTEGRITY', /not encrypted/);
});

test(
  'opening with a password refuses a backup downgraded to plain (keys and index deleted)',
  async (t) => {
    const { store, abs, storeDir } = copyStore(t);
    const file = abs('backups/test/config.json');
    const cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    cfg.encrypted = false; // the seal stays the HMAC one: a genuine plain backup never has that
    fs.writeFileSync(file, JSON.stringify(cfg, null, 2));
    fs.rmSync(path.join(storeDir, 'backups/test/keys'), { recursive: true });
    fs.rmSync(path.join(storeDir, 'backups/test/index'), { recursive: true });
    let repo: Repository | undefined;
    try {
      repo = await open(store);
    } catch (err) {
      await assertDvomError(Promise.reject(err), 'INTEGRITY');
    }
    if (repo) {
      // What an attacker gains if open succeeds: the next backup lands in the store in plaintext.
      const src = tempDir(t, 'secret');
      fs.writeFileSync(path.join(src, 'secret.txt'), 'PLAINTEXT-SECRET-7c1e');
      await backup(repo, folderSource(src), { sourceKind: 'path' });
      const leaked = listFiles(storeDir).filter((f) => fs.readFileSync(path.join(storeDir, f)).includes('PLAINTEXT-SECRET-7c1e'));
      assert.deepEqual(leaked, [], 'a backup opened with a password wrote plaintext to the store');
    }
  },
);

test('edited version stats are detected once unlocked', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const file = abs(versionFiles(storeDir)[0]!);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { stats: { bytes: number } };
  doc.stats.bytes += 1;
  fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  const repo = await open(store);
  await assertDvomError(repo.versions(), 'INTEGRITY', /was modified/);
  await assertDvomError(repo.version('latest'), 'INTEGRITY', /was modified/);
  await assertDvomError(verify(repo), 'INTEGRITY', /was modified/);
});

test('a version file copied from another backup is rejected', async (t) => {
  for (const otherEncrypted of [true, false]) {
    const { storeDir, store, abs } = copyStore(t);
    // Another backup in the same store, with the same password.
    const other = await createRepo(storeDir, 'other', { encrypted: otherEncrypted });
    const src = tempDir(t, 'other-src');
    fs.writeFileSync(path.join(src, 'x'), 'other backup');
    const foreign = await backup(other.repo, folderSource(src), { sourceKind: 'path' });
    fs.copyFileSync(abs(`backups/other/versions/${foreign.id}.json`), abs(`backups/test/versions/${foreign.id}.json`));
    const repo = await open(store);
    await assertDvomError(repo.versions(), 'INTEGRITY', otherEncrypted ? /was modified/ : /not authenticated with this backup's key/);
    await assertDvomError(repo.version(foreign.id), 'INTEGRITY');
  }
});

test('a version file renamed to another id is rejected', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const file = versionFiles(storeDir)[0]!;
  fs.renameSync(abs(file), abs('backups/test/versions/20990101T000000Z-abcdef.json'));
  const repo = await open(store);
  await assertDvomError(repo.versions(), 'INTEGRITY', /renamed/);
});

test("a pack whose header magic is replaced reports 'no encryption header found'", async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const pack = packsBySize(storeDir)[0]!;
  patch(abs(pack), (d) => {
    d.write('XXXX-ENC', 0, 'ascii');
    return d;
  });
  const repo = await open(store);
  await assertVerifyReports(repo, /no encryption header found/, pack);
  await assertRestoreFails(t, repo, /no encryption header found/);
});

test('a plain pack that claims to be plain inside an encrypted backup is refused', async (t) => {
  const { storeDir, store, abs } = copyStore(t);
  const pack = packsBySize(storeDir)[0]!;
  patch(abs(pack), (d) => Buffer.concat([Buffer.from('DVOM-RAW\x01'), d.subarray(HEADER)]));
  const repo = await open(store);
  await assertVerifyReports(repo, /marked as encrypted but the object is not encrypted/, pack);
});

test('plain backup: a flipped byte in a pack is detected by verify --read-data and restore', async (t) => {
  const { storeDir, store, abs } = copyStore(t, 'plain');
  const pack = packsBySize(storeDir)[0]!;
  patch(abs(pack), (d) => {
    d[9 + 5000]! ^= 0x01;
    return d;
  });
  const repo = await Repository.open(store, 'test');
  const quick = await verify(repo);
  assert.deepEqual(quick.errors, [], 'the size is unchanged: only reading the data can tell');
  const report = await verify(repo, { readData: true });
  assert.ok(report.errors.some((e) => /does not match its id|cannot decompress/.test(e)), JSON.stringify(report.errors));
  await assertRestoreFails(t, repo, /does not match its id|cannot decompress|SHA-256/);
});

test('wrong password → WRONG_PASSWORD; the right one still works after failed attempts', async (t) => {
  const { store } = copyStore(t);
  for (const pw of ['wrong', '', PASSWORD_VARIANT]) {
    await assertDvomError(Repository.open(store, 'test', password(pw)), 'WRONG_PASSWORD', /wrong password/);
  }
  await assertDvomError(Repository.open(store, 'test'), 'WRONG_PASSWORD', /password or key is needed/);
  await assertDvomError(Repository.open(store, 'test', { kind: 'raw-key', key: randomBytes(32) }), 'WRONG_PASSWORD', /wrong key/);
  const repo = await open(store);
  assert.equal((await repo.versions()).length, 1);
  assert.deepEqual((await verify(repo)).errors, []);
});
