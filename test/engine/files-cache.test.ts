// The files cache: unchanged files are taken from the previous version without
// being read, and every rule that makes a file be read again is honoured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backup, folderSource, openVersion, type SourceEntry, type VersionSummary } from '../../src/main/engine/index.ts';
import type { Repository } from '../../src/main/engine/repo/repository.ts';
import { REREAD_EVERY, rereadSlotOf } from '../../src/main/engine/archive/files-cache.ts';
import { SMALL_CHUNKER, createRepo, tempDir } from './helpers.ts';

/** A file of a synthetic source (a tar stream has no ctime or inode, so neither has this). */
interface FakeFile {
  name: string;
  data: Buffer;
  mtimeMs: number;
}

const T0 = Date.UTC(2026, 0, 1);

/** Yields the files as a source does and records which of them were read. */
function fakeSource(files: FakeFile[], reads: string[]): AsyncIterable<SourceEntry> {
  return (async function* () {
    yield { header: { path: Buffer.from('.'), type: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeMs: T0, size: 0 } };
    for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
      yield {
        header: { path: Buffer.from(f.name), type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: f.mtimeMs, size: f.data.length },
        readAll: () => {
          reads.push(f.name);
          return Buffer.from(f.data);
        },
      };
    }
  })();
}

async function run(repo: Repository, files: FakeFile[], clockMs: number, forceRead = false) {
  const reads: string[] = [];
  const version = await backup(repo, fakeSource(files, reads), { sourceKind: 'path', sourceClockMs: clockMs, forceRead });
  return { version, reads: reads.sort() };
}

async function contents(repo: Repository, version: VersionSummary): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const opened = await openVersion(repo, version);
  for await (const { entry, content } of opened.items()) {
    if (!content) continue;
    const parts: Buffer[] = [];
    for await (const part of content) parts.push(part);
    out.set(entry.path.toString(), Buffer.concat(parts).toString());
  }
  return out;
}

const inSlot = (slot: number) => (f: FakeFile) => rereadSlotOf(Buffer.from(f.name)) === slot;

/**
 * `n` files of the same age, plus one a second newer: the newest file bounds
 * the cache's horizon and is always read again, so the others can be cached.
 */
function someFiles(n: number, mtimeMs: number): FakeFile[] {
  const files = Array.from({ length: n }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from(`content of file ${i}\n`.repeat(i + 1)), mtimeMs }));
  return [...files, { name: NEWEST, data: Buffer.from('newest'), mtimeMs: mtimeMs + 1000 }];
}
const NEWEST = 'zz-newest.txt';

test('an unchanged re-backup reads only the files of its re-read slot, and restores the same bytes', async (t) => {
  const { repo } = await createRepo(tempDir(t, 'fc-same'), 'test', { chunker: SMALL_CHUNKER });
  const files = someFiles(40, T0);
  const first = await run(repo, files, T0 + 60_000);
  assert.equal(first.reads.length, 41, 'a first backup reads everything');
  const second = await run(repo, files, T0 + 120_000);
  const expected = files.filter((f) => inSlot(1)(f) || f.name === NEWEST).map((f) => f.name).sort();
  assert.ok(expected.length < 10, 'the test needs most files outside slot 1');
  assert.deepEqual(second.reads, expected);
  assert.deepEqual(await contents(repo, second.version), await contents(repo, first.version));
  assert.equal(second.version.root, first.version.root, 'an unchanged source stores the same tree');
});

test('a file changed within the same second as the previous backup is read again', async (t) => {
  const { repo } = await createRepo(tempDir(t, 'fc-racy'), 'test', { chunker: SMALL_CHUNKER });
  const clock = T0 + 10_000;
  // Written 400 ms before the backup started: its timestamp cannot tell a later write in the same second.
  const racy: FakeFile = { name: 'racy.txt', data: Buffer.from('before'), mtimeMs: clock - 400 };
  const calm: FakeFile = { name: 'calm.txt', data: Buffer.from('calm'), mtimeMs: T0 };
  await run(repo, [racy, calm], clock);
  const changed = { ...racy, data: Buffer.from('after!') }; // same size, same mtime
  const second = await run(repo, [changed, calm], clock + 60_000);
  assert.ok(second.reads.includes('racy.txt'));
  assert.equal((await contents(repo, second.version)).get('racy.txt'), 'after!');
});

test('a source clock ahead of the file times still treats the newest file as racy', async (t) => {
  const { repo } = await createRepo(tempDir(t, 'fc-skew'), 'test', { chunker: SMALL_CHUNKER });
  const clock = T0 + 10_000;
  // The source's clock is 10 minutes ahead of the file times: the newest file still bounds the horizon.
  const newest: FakeFile = { name: 'newest.txt', data: Buffer.from('one'), mtimeMs: clock - 600_000 };
  const older: FakeFile = { name: 'older.txt', data: Buffer.from('old'), mtimeMs: clock - 700_000 };
  await run(repo, [newest, older], clock);
  const second = await run(repo, [{ ...newest, data: Buffer.from('two') }, older], clock + 60_000);
  assert.equal((await contents(repo, second.version)).get('newest.txt'), 'two');
});

test('a change that put the mtime back is caught by --force-read and within the re-read period', async (t) => {
  const { repo } = await createRepo(tempDir(t, 'fc-touch'), 'test', { chunker: SMALL_CHUNKER });
  const target: FakeFile = { name: 'touched.txt', data: Buffer.from('original'), mtimeMs: T0 };
  const others = someFiles(5, T0);
  let clock = T0 + 3_600_000;
  await run(repo, [target, ...others], clock);
  const edited = { ...target, data: Buffer.from('EDITED!!') }; // same size, mtime put back (touch -d)
  const forced = await run(repo, [edited, ...others], (clock += 60_000), true);
  assert.equal(forced.reads.length, 7, '--force-read reads every file');
  assert.equal((await contents(repo, forced.version)).get('touched.txt'), 'EDITED!!');

  // Without --force-read: edit again behind the cache's back; some run within the period reads it.
  const again = { ...target, data: Buffer.from('AGAIN!!!') };
  let seenIn: number | undefined;
  for (let i = 1; i <= REREAD_EVERY && seenIn === undefined; i++) {
    const r = await run(repo, [again, ...others], (clock += 60_000));
    if ((await contents(repo, r.version)).get('touched.txt') === 'AGAIN!!!') seenIn = i;
    else assert.ok(!r.reads.includes('touched.txt'));
  }
  assert.ok(seenIn !== undefined, `the edit is found within ${REREAD_EVERY} backups`);
});

test('a file whose chunks are no longer indexed is read again, and the version restores', async (t) => {
  const dir = tempDir(t, 'fc-lost');
  const { repo, store } = await createRepo(dir, 'test', { chunker: SMALL_CHUNKER });
  const files = someFiles(8, T0);
  await run(repo, files, T0 + 60_000);
  // The index that locates the first version's chunks is gone (a lost listing page, or pruned data).
  for await (const obj of store.list(repo.layout.indexPrefix)) await store.delete(obj.key);
  const second = await run(repo, files, T0 + 120_000);
  assert.equal(second.reads.length, 9);
  const restored = await contents(repo, second.version);
  for (const f of files) assert.equal(restored.get(f.name), f.data.toString());
});

test('a folder: content changed with its mtime put back is caught by the change time', async (t) => {
  const base = tempDir(t, 'fc-folder');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  const file = path.join(src, 'data.txt');
  fs.writeFileSync(file, 'first version');
  const old = new Date(Date.now() - 3_600_000);
  fs.utimesSync(file, old, old);
  // A newer file sets the horizon, so data.txt's mtime alone would let the cache trust it.
  fs.writeFileSync(path.join(src, 'newer.txt'), 'newer');
  const newer = new Date(Date.now() - 600_000);
  fs.utimesSync(path.join(src, 'newer.txt'), newer, newer);
  const { repo } = await createRepo(path.join(base, 'store'), 'test', { chunker: SMALL_CHUNKER });
  await backup(repo, folderSource(src), { sourceKind: 'path', sourcePath: src });
  fs.writeFileSync(file, 'other version'); // same size
  fs.utimesSync(file, old, old);
  const second = await backup(repo, folderSource(src), { sourceKind: 'path', sourcePath: src });
  assert.equal((await contents(repo, second)).get('data.txt'), 'other version');
});
