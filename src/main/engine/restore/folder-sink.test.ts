import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ProgressMeter } from '../archive/progress-meter.ts';
import type { TreeEntry } from '../tree/tree-entry.ts';
import { writeToFolder } from './folder-sink.ts';

const T = Date.UTC(2024, 0, 2, 3, 4, 5);

function entry(p: string, type: TreeEntry['type'], extra: Partial<TreeEntry> = {}): TreeEntry {
  return { path: Buffer.from(p), type, mode: type === 'dir' ? 0o750 : 0o640, uid: 0, gid: 0, mtimeMs: T, size: 0, ...extra };
}

/** A tree of folders, files, a symbolic link and a hard link whose target comes after it (made in the last pass). */
function tree(): { entries: TreeEntry[]; contents: Map<string, Buffer> } {
  const entries: TreeEntry[] = [];
  const contents = new Map<string, Buffer>();
  for (let d = 0; d < 5; d++) {
    entries.push(entry(`d${d}`, 'dir', { mtimeMs: T + d * 1000 }));
    for (let f = 0; f < 3; f++) {
      const data = Buffer.from(`file ${d}/${f} `.repeat(d * 10 + f));
      const p = `d${d}/f${f}`;
      contents.set(p, data);
      entries.push(entry(p, 'file', { size: data.length, sha256: createHash('sha256').update(data).digest('hex'), chunks: [] }));
    }
    entries.push(entry(`d${d}/link`, 'symlink', { linkTarget: Buffer.from(`f${d % 3}`) }));
  }
  // A hard link to a symbolic link cannot be made with link(2) before the link exists: deferred to the last pass.
  entries.push(entry('d4/hard', 'hardlink', { linkTarget: Buffer.from('d0/link') }));
  return { entries, contents };
}

async function restoreWith(recordLimit: number | undefined): Promise<{ dir: string; replays: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dvom-sink-'));
  const { entries, contents } = tree();
  let replays = 0;
  const replay = async function* () {
    replays++;
    yield* entries;
  };
  const items = (async function* () {
    for (const e of entries) {
      const data = contents.get(e.path.toString());
      yield data ? { entry: e, content: (async function* () { yield data; })() } : { entry: e };
    }
  })();
  await writeToFolder(dir, items, replay, new ProgressMeter(undefined, 'restoring'), recordLimit === undefined ? {} : { recordLimit });
  return { dir, replays };
}

test('the last passes use the folders and links kept from earlier ones, or replay the tree past the bound, with the same result', async (t) => {
  const kept = await restoreWith(undefined);
  const replayed = await restoreWith(2);
  t.after(() => {
    rmSync(kept.dir, { recursive: true, force: true });
    rmSync(replayed.dir, { recursive: true, force: true });
  });
  assert.equal(kept.replays, 1, 'only the first pass (folders before files) reads the tree again');
  assert.equal(replayed.replays, 3, 'beyond the bound each last pass reads the tree again');
  const { contents } = tree();
  for (const { dir } of [kept, replayed]) {
    for (const [p, data] of contents) assert.ok(readFileSync(path.join(dir, p)).equals(data), p);
    for (let d = 0; d < 5; d++) {
      const st = statSync(path.join(dir, `d${d}`));
      assert.equal(st.mode & 0o7777, 0o750);
      assert.equal(Math.floor(st.mtimeMs), T + d * 1000, `folder d${d} keeps its time although files were added to it`);
      assert.equal(readlinkSync(path.join(dir, `d${d}/link`)), `f${d % 3}`);
    }
    assert.ok(lstatSync(path.join(dir, 'd4/hard')).isSymbolicLink(), 'the deferred hard link was made');
    assert.equal(lstatSync(path.join(dir, 'd4/hard')).ino, lstatSync(path.join(dir, 'd0/link')).ino);
  }
});
