import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compressSync, decompressSync } from './compression.ts';

/** Random bytes from the first `symbols` byte values: zstd's entropy coding saves about 1 - log2(symbols)/8. */
function skewed(size: number, symbols: number): Buffer {
  const out = randomBytes(size);
  for (let i = 0; i < size; i++) out[i] = out[i]! % symbols;
  return out;
}

test('small random blobs are stored as they are', () => {
  for (const size of [64, 200, 4096, 32 * 1024]) {
    const data = randomBytes(size);
    const result = compressSync(data);
    assert.equal(result.compressed, false, `${size} random bytes`);
    assert.equal(result.payload, data, 'the blob itself, not a copy');
  }
});

test('small blobs zstd can shrink by more than 3 % are compressed, and decompress to themselves', () => {
  // 200 of 256 byte values: about 4.5 % smaller with entropy coding alone, no repeats at all.
  const cases = [Buffer.from('backup restore volume '.repeat(200)), skewed(16 * 1024, 200), skewed(2048, 64)];
  for (const data of cases) {
    const result = compressSync(data);
    assert.equal(result.compressed, true, `${data.length} bytes`);
    assert.ok(result.payload.length <= data.length * 0.97);
    assert.ok(decompressSync(result.payload, data.length, 'test').equals(data));
  }
});

test('a decompression makes one output buffer, whose only view is the result (moved whole, never copied)', async () => {
  const { decodeJob } = await import('./decode-worker.ts');
  const { blobIdOf } = await import('./blob-id.ts');
  for (const size of [40 * 1024, 1024 * 1024 + 17]) {
    const data = skewed(size, 16);
    const { payload, compressed } = compressSync(data);
    assert.equal(compressed, true);
    const plain = decompressSync(payload, size, 'test');
    assert.ok(plain.equals(data));
    // Node's zlib allocates a second output buffer of the same size when the first ends up full.
    assert.equal(plain.buffer.byteLength, size + 1);
    const { reply, transfer } = decodeJob({ op: 'blob', id: blobIdOf(undefined, data), what: 'test', payload: Buffer.from(payload), rawLength: size, compressed: true, idKey: undefined });
    assert.ok('data' in reply && Buffer.from(reply.data).equals(data));
    assert.deepEqual(transfer, [reply.data.buffer], 'the decompressed memory itself moves back');
    assert.equal(reply.data.buffer.byteLength, size + 1, 'not a copy');
  }
});

test('a payload that expands beyond its stated length is refused at once, on either path', async () => {
  const { zstdCompressSync } = await import('node:zlib');
  const { decompress } = await import('./compression.ts');
  // 2 KiB stored that would expand to 64 MiB: a hostile store must not make a restore allocate it.
  const payload = zstdCompressSync(Buffer.alloc(64 * 1024 * 1024, 7));
  for (const stated of [1000, 100_000, 4 * 1024 * 1024]) {
    const before = process.memoryUsage().arrayBuffers;
    await assert.rejects(decompress(payload, stated, 'test blob'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'INTEGRITY');
      return true;
    });
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 16 * 1024 * 1024, `${grown} bytes allocated for a blob stated as ${stated}`);
  }
});

test('large blobs compress on the pool to a view of one output buffer, and decompress to themselves', async () => {
  const { maybeCompress, decompress } = await import('./compression.ts');
  const data = skewed(3 * 1024 * 1024 + 5, 16);
  const result = await maybeCompress(data);
  assert.equal(result.compressed, true);
  assert.ok(result.payload.length < data.length * 0.6);
  assert.equal(result.payload.byteOffset, 0, 'the stream output buffer, not a copy of it');
  assert.ok(result.payload.buffer.byteLength > result.payload.length);
  const plain = await decompress(result.payload, data.length, 'test');
  assert.ok(plain.equals(data));
  assert.equal(plain.buffer.byteLength, data.length + 1);
});

test('several small blobs decompress with one decoder into their plaintexts back to back; a total that is not theirs gives nothing', async () => {
  const { decompressFrames } = await import('./compression.ts');
  const blobs = [Buffer.from('volume '.repeat(300)), skewed(3000, 40), Buffer.from('restore '.repeat(500))];
  const payloads = blobs.map((b) => compressSync(b).payload);
  const total = blobs.reduce((n, b) => n + b.length, 0);
  assert.ok(decompressFrames(payloads, total)?.equals(Buffer.concat(blobs)));
  assert.equal(decompressFrames(payloads, total - 1), undefined, 'longer than said');
  assert.equal(decompressFrames(payloads, total + 1), undefined, 'shorter than said');
  assert.equal(decompressFrames([payloads[0]!, Buffer.from('not zstd'), payloads[2]!], total), undefined, 'not a frame');
});
