import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FastCdcChunker } from '../chunker/fastcdc.ts';
import { gearTableFromSeed } from '../chunker/gear-table.ts';
import { blobIdOf } from '../repo/blob-id.ts';
import { ContentStreams } from './content-streams.ts';

const PARAMS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };

/** What the main thread's chunker makes of `data`: chunks and their ids. */
function chunkHere(data: Buffer, gear: Uint32Array, idKey: Buffer | undefined): { id: string; data: Buffer }[] {
  const chunker = new FastCdcChunker(gear, PARAMS);
  const pieces = [...chunker.push(data)];
  const last = chunker.finish();
  if (last) pieces.push(last);
  return pieces.map((p) => ({ id: blobIdOf(idKey, p), data: p }));
}

/** Sends `data` in blocks of `block` bytes (each a buffer of its own, as the archiver does). */
async function chunkOnThread(streams: ContentStreams, data: Buffer, block: number) {
  const stream = streams.open();
  const out: { id: string; data: Buffer }[] = [];
  const replies = [];
  for (let pos = 0; pos < data.length || pos === 0; pos += block) {
    const slice = data.subarray(pos, pos + block);
    const piece = Buffer.allocUnsafeSlow(slice.length); // own memory, not the shared pool: it is moved to the thread
    slice.copy(piece);
    replies.push(stream.push(piece, pos + block >= data.length));
    if (pos + block >= data.length) break;
  }
  for (const reply of await Promise.all(replies)) for (const c of reply.chunks) out.push({ id: c.id, data: Buffer.from(c.data) });
  return out;
}

test('chunks made on an engine thread are the main thread\'s, with the same ids (encrypted and plain), whatever the block size', async (t) => {
  const gear = gearTableFromSeed(randomBytes(32));
  const idKey = randomBytes(32);
  const data = randomBytes(3 * 1024 * 1024 + 12345);
  for (const key of [idKey, undefined]) {
    const streams = new ContentStreams({ gear, params: PARAMS, idKey: key });
    t.after(() => streams.close());
    const expected = chunkHere(data, gear, key);
    assert.ok(expected.length > 10, 'the data spans many chunks');
    for (const block of [1024 * 1024, 100_000, 7]) {
      if (block === 7) {
        const small = data.subarray(0, 40_000); // a tiny block size on a smaller file: many round trips
        assert.deepEqual(await chunkOnThread(streams, small, block), chunkHere(small, gear, key));
        continue;
      }
      const got = await chunkOnThread(streams, data, block);
      assert.deepEqual(got.map((c) => c.id), expected.map((c) => c.id), `ids with ${block}-byte blocks`);
      assert.ok(Buffer.concat(got.map((c) => c.data)).equals(data), 'the chunks put together are the file');
    }
  }
});

test('files chunked at once on one thread do not mix; an empty file has no chunks; a discarded stream is forgotten', async (t) => {
  const gear = gearTableFromSeed(randomBytes(32));
  const streams = new ContentStreams({ gear, params: PARAMS, idKey: undefined });
  t.after(() => streams.close());
  const a = randomBytes(700_000);
  const b = randomBytes(900_000);
  const [ca, cb] = await Promise.all([chunkOnThread(streams, a, 65_536), chunkOnThread(streams, b, 100_000)]);
  assert.deepEqual(ca.map((c) => c.id), chunkHere(a, gear, undefined).map((c) => c.id));
  assert.deepEqual(cb.map((c) => c.id), chunkHere(b, gear, undefined).map((c) => c.id));
  assert.deepEqual(await chunkOnThread(streams, Buffer.alloc(0), 1024), []);

  const dropped = streams.open();
  const head = Buffer.allocUnsafeSlow(300_000);
  a.copy(head, 0, 0, 300_000);
  await dropped.push(head, false);
  dropped.discard();
  // The thread keeps working for the next file, from a clean state.
  assert.deepEqual((await chunkOnThread(streams, b, 50_000)).map((c) => c.id), chunkHere(b, gear, undefined).map((c) => c.id));
});
