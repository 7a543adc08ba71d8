import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TreeEntry } from '../tree/tree-entry.ts';
import { prefetchChunks } from './chunk-prefetch.ts';

function entry(name: string, chunks?: string[]): TreeEntry {
  return { path: Buffer.from(name), type: chunks ? 'file' : 'dir', mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, size: 0, ...(chunks ? { chunks } : {}) };
}

/** Files of `perFile` chunks named c0, c1, …, and a log of what was read, in order. */
function files(count: number, perFile: number) {
  const entries: TreeEntry[] = [];
  for (let f = 0, c = 0; f < count; f++) entries.push(entry(`f${f}`, [...Array(perFile)].map(() => `c${c++}`)));
  const reads: string[] = [];
  const read = async (id: string) => {
    reads.push(id);
    return Buffer.from(id);
  };
  return { entries, reads, read };
}

async function* from<T>(items: T[], pulled?: { count: number }): AsyncGenerator<T> {
  for (const item of items) {
    if (pulled) pulled.count++;
    yield item;
  }
}

test('hints name the chunks to be read, nearest first, and again those the reader had no room for', async () => {
  const { entries, reads, read: readChunk } = files(50, 4);
  const order: string[] = [];
  const read = (id: string) => {
    order.push(`read ${id}`);
    return readChunk(id);
  };
  const hints: string[] = [];
  const taken = new Set<string>();
  let room = 3;
  let calls = 0;
  const hint = (id: string) => {
    calls++;
    assert.ok(!taken.has(id), `${id} named again after it was taken`);
    if (room === 0) return false;
    hints.push(id);
    order.push(`hint ${id}`);
    taken.add(id);
    room--;
    return true;
  };
  const got: string[] = [];
  for await (const token of prefetchChunks(from(entries), read, 8, hint)) {
    if ('entry' in token) got.push(token.entry.path.toString());
    else {
      got.push((await token.chunk).toString());
      room = Math.min(room + 1, 3); // the reader used a block: room for one more
    }
  }
  const expected = entries.flatMap((e) => [e.path.toString(), ...e.chunks!]);
  assert.deepEqual(got, expected, 'entries and chunks in order');
  assert.deepEqual(reads, expected.filter((x) => x.startsWith('c')), 'each chunk read once, in order');
  for (let i = 1; i < hints.length; i++) assert.ok(Number(hints[i]!.slice(1)) > Number(hints[i - 1]!.slice(1)), `hints nearest first: ${hints.join(' ')}`);
  assert.ok(hints.length > 50, `${hints.length} hints: those refused earlier were named again`);
  // At most one refusal per step besides the names taken: never a scan of all that is ahead.
  assert.ok(calls <= hints.length + 2 * expected.length, `${calls} calls of hint for ${expected.length} entries and chunks`);
  assert.ok(hints.every((id) => order.indexOf(`hint ${id}`) < order.indexOf(`read ${id}`)), 'each hinted before it is read');
});

test('hints look ahead a bounded way, however many entries without chunks come first', async () => {
  const dirs = [...Array(5000)].map((_, i) => entry(`d${i}`));
  const pulled = { count: 0 };
  const stream = prefetchChunks(from([...dirs, ...files(1, 1).entries], pulled), async (id) => Buffer.from(id), 8, () => true);
  const first = await stream.next();
  assert.equal(first.done, false);
  assert.ok(pulled.count <= 1100, `${pulled.count} entries taken ahead of the first`);
  await stream.return(undefined);
});

test('without hints, nothing is taken ahead beyond the reads in flight', async () => {
  const pulled = { count: 0 };
  const { entries, read } = files(100, 1);
  const stream = prefetchChunks(from(entries, pulled), read, 8);
  await stream.next();
  assert.ok(pulled.count <= 9, `${pulled.count} entries taken ahead of the first`);
  await stream.return(undefined);
});
