/**
 * Restoring part of a version into a folder that holds other data, keeping
 * the rest (merge): untouched files stay byte-identical, existing files are
 * kept or overwritten as asked, a symbolic link planted in the destination is
 * never followed, and a cancel mid-way leaves the files not yet written as
 * they were and says which were written.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backup, restoreToFolder, type SourceEntry } from '../../src/main/engine/index.ts';
import type { TarHeader } from '../../src/main/engine/tar/tar-types.ts';
import type { ProgressEvent } from '../../src/shared/progress.ts';
import { selectPaths } from '../../src/main/volumes/volume-paths.ts';
import { assertDvomError, createRepo, hashFiles, tempDir } from './helpers.ts';

const T = Date.parse('2024-01-02T03:04:05Z');

function header(p: string, type: TarHeader['type'], extra: Partial<TarHeader> = {}): TarHeader {
  return { path: Buffer.from(p), type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, mtimeMs: T, size: 0, ...extra };
}
const dir = (p: string): SourceEntry => ({ header: header(p, 'dir') });
function file(p: string, text: string): SourceEntry {
  const data = Buffer.from(text);
  return { header: header(p, 'file', { size: data.length }), body: (async function* () { yield data; })() };
}

/** A version of etc/{app,db}.conf, data/{1..8}.txt and notes.txt (all "backed up" contents). */
async function version(t: TestContext) {
  const base = tempDir(t, 'merge');
  const { repo } = await createRepo(path.join(base, 'store'));
  const entries = [dir('.'), dir('etc'), file('etc/app.conf', 'app: backed up\n'), file('etc/db.conf', 'db: backed up\n'), dir('data')];
  for (let i = 1; i <= 8; i++) entries.push(file(`data/${i}.txt`, `data ${i}: backed up\n`));
  entries.push(file('notes.txt', 'notes: backed up\n'));
  const v = await backup(repo, (async function* () { yield* entries; })(), { sourceKind: 'path' });
  return { base, repo, version: v };
}

/** A live folder that moved on since the backup: changed, deleted and new files. */
function liveFolder(base: string): string {
  const target = path.join(base, 'live');
  fs.mkdirSync(path.join(target, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(target, 'data'));
  fs.mkdirSync(path.join(target, 'new-since'));
  fs.writeFileSync(path.join(target, 'etc/app.conf'), 'app: changed since\n');
  // etc/db.conf was deleted since the backup.
  for (let i = 1; i <= 8; i++) fs.writeFileSync(path.join(target, `data/${i}.txt`), `data ${i}: changed since\n`);
  fs.writeFileSync(path.join(target, 'new-since/keep.bin'), Buffer.from([0, 1, 2, 3, 255]));
  fs.writeFileSync(path.join(target, 'notes.txt'), 'notes: changed since\n');
  return target;
}

const read = (p: string) => fs.readFileSync(p, 'utf8');

test('keep-existing puts missing files back and leaves every other file byte-identical', async (t) => {
  const { base, repo, version: v } = await version(t);
  const target = liveFolder(base);
  const before = hashFiles(target);
  let last: ProgressEvent | undefined;
  const counts = await restoreToFolder(repo, v, target, {
    merge: 'skip',
    select: selectPaths(undefined, ['etc']),
    onProgress: (e) => {
      if (e.phase === 'writing') last = e;
    },
  });
  // The writing phase counts kept files too, so its bar ends full.
  assert.deepEqual(last && [last.filesDone, last.filesTotal, last.bytesDone, last.bytesTotal], [2, 2, 29, 29]);
  assert.deepEqual(counts && { written: counts.written, skipped: counts.skipped, overwritten: counts.overwritten }, { written: 1, skipped: 1, overwritten: 0 });
  assert.equal(read(path.join(target, 'etc/db.conf')), 'db: backed up\n', 'the deleted file is back');
  const after = hashFiles(target);
  after.delete('etc/db.conf');
  assert.deepEqual(after, before, 'everything else, etc/app.conf included, is byte-identical');
  assert.deepEqual(fs.readdirSync(target).filter((n) => n.includes('dvom')), [], 'no staging left behind');
});

test('overwrite-existing replaces the picked files only', async (t) => {
  const { base, repo, version: v } = await version(t);
  const target = liveFolder(base);
  const before = hashFiles(target);
  const counts = await restoreToFolder(repo, v, target, { merge: 'overwrite', select: selectPaths(undefined, ['etc', 'data/2.txt']) });
  assert.equal(counts?.written, 3);
  assert.equal(counts?.overwritten, 2);
  assert.equal(read(path.join(target, 'etc/app.conf')), 'app: backed up\n');
  assert.equal(read(path.join(target, 'data/2.txt')), 'data 2: backed up\n');
  assert.equal(read(path.join(target, 'etc/db.conf')), 'db: backed up\n');
  const after = hashFiles(target);
  for (const p of ['etc/app.conf', 'etc/db.conf', 'data/2.txt']) {
    after.delete(p);
    before.delete(p);
  }
  assert.deepEqual(after, before, 'the files not picked are byte-identical');
});

test('a symbolic link planted in the destination is never followed', async (t) => {
  for (const onExisting of ['skip', 'overwrite'] as const) {
    const { base, repo, version: v } = await version(t);
    const target = liveFolder(base);
    const outside = tempDir(t, 'outside');
    fs.rmSync(path.join(target, 'etc'), { recursive: true });
    fs.symlinkSync(outside, path.join(target, 'etc')); // etc -> a folder outside the destination
    await restoreToFolder(repo, v, target, { merge: onExisting, select: selectPaths(undefined, ['etc']) });
    assert.deepEqual(fs.readdirSync(outside), [], `${onExisting}: nothing was written through the link`);
    const etc = fs.lstatSync(path.join(target, 'etc'));
    if (onExisting === 'skip') {
      assert.ok(etc.isSymbolicLink(), 'kept: the link stays as it was');
    } else {
      assert.ok(etc.isDirectory(), 'overwritten: the link itself is replaced by the folder');
      assert.equal(read(path.join(target, 'etc/app.conf')), 'app: backed up\n');
    }
  }
});

test('a cancel mid-way leaves the files not yet written as they were and says which were written', async (t) => {
  const { base, repo, version: v } = await version(t);
  const target = liveFolder(base);
  const controller = new AbortController();
  const err = await assertDvomError(
    restoreToFolder(repo, v, target, {
      merge: 'overwrite',
      select: selectPaths(undefined, ['data']),
      signal: controller.signal,
      // Cancel as soon as the third file has been written into the destination.
      onProgress: (e) => {
        if (e.phase === 'writing' && e.filesDone === 3) controller.abort();
      },
    }),
    'CANCELLED',
  );
  assert.match(err.message, /3 files had been written into .*'data\/1\.txt', 'data\/2\.txt', 'data\/3\.txt'\); the others were not touched/);
  for (let i = 1; i <= 8; i++) {
    assert.equal(read(path.join(target, `data/${i}.txt`)), `data ${i}: ${i <= 3 ? 'backed up' : 'changed since'}\n`, `data/${i}.txt`);
  }
  assert.equal(read(path.join(target, 'notes.txt')), 'notes: changed since\n');
  assert.deepEqual(fs.readdirSync(target).filter((n) => n.includes('dvom')), [], 'no staging left behind');
});

test('without a merge choice a non-empty folder is still refused, naming the choices', async (t) => {
  const { base, repo, version: v } = await version(t);
  const target = liveFolder(base);
  await assertDvomError(restoreToFolder(repo, v, target), 'USAGE', /--keep-existing or --overwrite-existing .* or --force/);
});
