import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { FastCdcChunker } from '../chunker/fastcdc.ts';
import { gearTableFromSeed } from '../chunker/gear-table.ts';
import { blobIdOf } from '../repo/blob-id.ts';
import { decompressSync } from '../repo/compression.ts';
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

/** Text that zstd shrinks (a few words in a pseudo-random order). */
function text(size: number, seed: number): Buffer {
  const words = ['volume', 'backup', 'chunk', 'restore', 'pack', 'index', 'docker', 'the', 'a', '\n'];
  let x = seed;
  let out = '';
  while (out.length < size) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += words[x % words.length] + ' ';
  }
  return Buffer.from(out.slice(0, size));
}

/** Each file in memory of its own, as the archiver sends them (moved, not copied). */
function owned(data: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(data.length);
  data.copy(copy);
  return copy;
}

test('small files prepared in a batch (on a thread, or here) hash, chunk and name as the main thread does, and their payloads decode to the chunks', async (t) => {
  const gear = gearTableFromSeed(randomBytes(32));
  // Empty, tiny, around the 64-byte compression floor, random and text, one chunk and several (PARAMS.minSize is 16 KiB).
  const files = [
    Buffer.alloc(0),
    randomBytes(1),
    text(63, 1),
    text(64, 2),
    randomBytes(200),
    text(6000, 3),
    randomBytes(6000),
    text(40_000, 4),
    randomBytes(300_000),
    Buffer.concat([text(100_000, 5), randomBytes(100_000)]),
  ];
  for (const key of [randomBytes(32), undefined]) {
    const streams = new ContentStreams({ gear, params: PARAMS, idKey: key });
    t.after(() => streams.close());
    const [onThread, here] = [await streams.files(files.map(owned)), await streams.files(files.map(owned), true)];
    assert.deepEqual(here.files, onThread.files, 'the same whichever thread prepared them');
    assert.ok(here.data.equals(onThread.data));
    let pos = 0;
    for (const [i, file] of onThread.files.entries()) {
      const data = files[i]!;
      assert.equal(file.sha256, createHash('sha256').update(data).digest('hex'));
      const expected = data.length <= PARAMS.minSize ? (data.length ? [{ id: blobIdOf(key, data), data }] : []) : chunkHere(data, gear, key);
      assert.deepEqual(file.chunks.map((c) => c.id), expected.map((c) => c.id), `file ${i}: chunk ids`);
      for (const [k, chunk] of file.chunks.entries()) {
        const payload = onThread.data.subarray(pos, pos + chunk.length);
        pos += chunk.length;
        assert.equal(chunk.rawLength, expected[k]!.data.length);
        const plain = chunk.compressed ? decompressSync(payload, chunk.rawLength, 'test') : payload;
        assert.ok(plain.equals(expected[k]!.data), `file ${i}, chunk ${k}: payload decodes to the chunk`);
      }
    }
    assert.equal(pos, onThread.data.length, 'the data holds every payload, nothing else');
    const compressed = onThread.files.map((f) => f.chunks.some((c) => c.compressed));
    assert.deepEqual(compressed.slice(0, 8), [false, false, false, false, false, true, false, true], 'text is compressed; random data, and files too small to gain, are not');
  }
});
