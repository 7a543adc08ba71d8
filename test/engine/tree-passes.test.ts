/**
 * A pass over a version's tree that wants one type of entry (a restore making
 * its folders first) passes over the records that say first they are of
 * another type, and still yields every record it cannot tell that way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readTree, readTreeRoot, TreeWriter } from '../../src/main/engine/tree/tree-io.ts';
import type { TreeEntry } from '../../src/main/engine/tree/tree-entry.ts';
import { createRepo, tempDir } from './helpers.ts';

const entry = (p: string, type: TreeEntry['type'], extra: Partial<TreeEntry> = {}): TreeEntry => ({
  path: Buffer.from(p),
  type,
  mode: type === 'dir' ? 0o755 : 0o644,
  uid: 0,
  gid: 0,
  mtimeMs: 1_700_000_000_000,
  size: 0,
  ...extra,
});
const HASH = 'ab'.repeat(32);

test("readTree(…, 'dir') yields the folders, and any record not written type first, without the rest", async (t) => {
  const { repo } = await createRepo(path.join(tempDir(t, 'tree'), 'store'), 'test', { encrypted: false });
  const { index } = await repo.loadIndex();
  const writer = repo.blobWriter(index);
  const tree = new TreeWriter(writer);
  const written = [
    entry('.', 'dir'),
    entry('a', 'dir'),
    entry('a/f1', 'file', { size: 3, sha256: HASH, chunks: [HASH] }),
    entry('a/link', 'symlink', { linkTarget: Buffer.from('f1') }),
    entry('b', 'dir'),
    entry('b/f2', 'file', { size: 3, sha256: HASH, chunks: [HASH] }),
  ];
  for (const e of written) await tree.add(e);
  const rootId = await tree.finish({});
  // A record whose type comes later (as no DVOM writes it, but a valid record all the same).
  const odd = JSON.stringify({ p: 'c', m: 0o755, u: 0, g: 0, mt: 1_700_000_000_000, t: 'dir' });
  const oddFile = JSON.stringify({ p: 'c/f3', m: 0o644, u: 0, g: 0, mt: 1, sz: 3, h: HASH, c: [HASH], t: 'file' });
  const extra = await writer.add('meta', Buffer.from(`${odd}\n${oddFile}\n`));
  await writer.flush();
  const reader = repo.blobReader(index);
  const root = await readTreeRoot(reader, rootId);
  root.tree.push(extra);

  const names = async (only?: 'dir') => {
    const out: string[] = [];
    for await (const e of readTree(reader, root, only)) out.push(`${e.type}:${e.path.toString()}`);
    return out;
  };
  assert.deepEqual(await names(), ['dir:.', 'dir:a', 'file:a/f1', 'symlink:a/link', 'dir:b', 'file:b/f2', 'dir:c', 'file:c/f3']);
  assert.deepEqual(await names('dir'), ['dir:.', 'dir:a', 'dir:b', 'dir:c', 'file:c/f3'], 'records not written type first are decoded whatever they are');
});
