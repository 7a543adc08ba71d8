import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DEFAULT_CHUNKER_PARAMS, FastCdcChunker, spreadMask } from './fastcdc.ts';
import type { ChunkerParams } from './fastcdc.ts';
import { gearTableFromSeed, PUBLIC_GEAR_SEED } from './gear-table.ts';

// Small params keep property tests fast while exercising every code path.
const SMALL: ChunkerParams = { minSize: 2 * 1024, avgSize: 8 * 1024, maxSize: 32 * 1024 };
const GEAR = gearTableFromSeed(PUBLIC_GEAR_SEED);

/** xorshift32: tiny deterministic PRNG so any failure reproduces from its seed. */
function makeRng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function randInt(rng: () => number, lo: number, hi: number): number {
  // Inclusive range; two draws give enough resolution for any range used here.
  return lo + Math.floor(((rng() * 2 ** 32 + rng()) / 2 ** 64) * (hi - lo + 1));
}

function randomBytes(rng: () => number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) out.writeUInt32LE(rng(), i);
  for (; i < n; i++) out[i] = rng() & 0xff;
  return out;
}

function seedFrom(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(label).digest());
}

/** Chunks `data` in pieces whose sizes come from `pieceSize` (all at once by default). */
function chunkAll(
  data: Buffer,
  params: ChunkerParams = SMALL,
  gear: Uint32Array = GEAR,
  pieceSize: (remaining: number) => number = (r) => r,
): Buffer[] {
  const c = new FastCdcChunker(gear, params);
  const chunks: Buffer[] = [];
  let off = 0;
  while (off < data.length) {
    const n = Math.max(1, Math.min(pieceSize(data.length - off), data.length - off));
    chunks.push(...c.push(data.subarray(off, off + n)));
    off += n;
  }
  const last = c.finish();
  if (last !== null) chunks.push(last);
  return chunks;
}

function lengths(chunks: Buffer[]): number[] {
  return chunks.map((c) => c.length);
}

function digests(chunks: Buffer[]): string[] {
  return chunks.map((c) => createHash('sha256').update(c).digest('hex'));
}

function assertWellFormed(data: Buffer, chunks: Buffer[], p: ChunkerParams, ctx: string): void {
  assert.ok(Buffer.concat(chunks).equals(data), `${ctx}: concatenation differs from input`);
  chunks.forEach((c, i) => {
    assert.ok(c.length > 0, `${ctx}: empty chunk #${i}`);
    assert.ok(c.length <= p.maxSize, `${ctx}: chunk #${i} longer than maxSize (${c.length})`);
    if (i < chunks.length - 1) {
      assert.ok(c.length >= p.minSize, `${ctx}: chunk #${i} shorter than minSize (${c.length})`);
    }
  });
}

test('chunks concatenate to the input and respect size bounds', () => {
  const rng = makeRng(1);
  for (let k = 0; k < 40; k++) {
    const len = k < 3 ? [0, 1, SMALL.minSize][k]! : randInt(rng, 0, 400 * 1024);
    const data = randomBytes(rng, len);
    const chunks = chunkAll(data, SMALL, GEAR, () => randInt(rng, 1, 100 * 1024));
    assertWellFormed(data, chunks, SMALL, `case ${k} (len ${len})`);
    if (len === 0) assert.equal(chunks.length, 0);
  }
});

test('boundaries do not depend on push() split points', () => {
  const rng = makeRng(2);
  for (let k = 0; k < 30; k++) {
    const data = randomBytes(rng, randInt(rng, 0, 300 * 1024));
    const whole = lengths(chunkAll(data));
    const ctx = `case ${k} (len ${data.length})`;
    assert.deepEqual(lengths(chunkAll(data, SMALL, GEAR, () => randInt(rng, 1, 64 * 1024))), whole, ctx);
    assert.deepEqual(lengths(chunkAll(data, SMALL, GEAR, () => randInt(rng, 1, 40))), whole, ctx);
    // Pieces straddling the skip / warm-up / normalization thresholds.
    assert.deepEqual(lengths(chunkAll(data, SMALL, GEAR, () => randInt(rng, 2000, 9000))), whole, ctx);
  }
  const data = randomBytes(rng, 150 * 1024);
  assert.deepEqual(lengths(chunkAll(data, SMALL, GEAR, () => 1)), lengths(chunkAll(data)), 'byte at a time');
});

test('chunking is deterministic and the chunker is reusable after finish()', () => {
  const rng = makeRng(3);
  const c = new FastCdcChunker(GEAR, SMALL);
  for (let k = 0; k < 20; k++) {
    const data = randomBytes(rng, randInt(rng, 1, 200 * 1024));
    const expected = digests(chunkAll(data));
    assert.deepEqual(digests(chunkAll(data)), expected);
    // Same instance, reused across streams (and a stream ended mid-chunk before).
    c.push(randomBytes(rng, randInt(rng, 0, 5000)));
    c.finish();
    const got = c.push(data);
    const last = c.finish();
    if (last !== null) got.push(last);
    assert.deepEqual(digests(got), expected, `case ${k}`);
  }
  assert.equal(c.finish(), null);
  assert.deepEqual(c.push(Buffer.alloc(0)), []);
  assert.equal(c.finish(), null);
});

test('returned chunks do not alias the input or internal buffers', () => {
  const rng = makeRng(4);
  const data = randomBytes(rng, 500 * 1024);
  const expected = digests(chunkAll(data));
  const c = new FastCdcChunker(GEAR, SMALL);
  const scratch = Buffer.allocUnsafe(7000); // reused read buffer, as a file reader would
  const got: Buffer[] = [];
  for (let off = 0; off < data.length; off += scratch.length) {
    const n = data.copy(scratch, 0, off, off + scratch.length);
    got.push(...c.push(scratch.subarray(0, n)));
    scratch.fill(0xa5);
  }
  const last = c.finish();
  if (last !== null) got.push(last);
  // Pushing more data must not disturb chunks already handed out either.
  c.push(randomBytes(rng, 100 * 1024));
  assert.deepEqual(digests(got), expected);
});

test('boundaries resynchronise after an insertion or deletion', () => {
  const rng = makeRng(5);
  const base = randomBytes(rng, 16 * 1024 * 1024);
  const before = chunkAll(base);
  const beforeDigests = digests(before);
  const beforeSet = new Set(beforeDigests);
  for (let k = 0; k < 6; k++) {
    const at = randInt(rng, 4 * 1024 * 1024, 12 * 1024 * 1024);
    const edited =
      k % 2 === 0
        ? Buffer.concat([base.subarray(0, at), randomBytes(rng, randInt(rng, 1, 64)), base.subarray(at)])
        : Buffer.concat([base.subarray(0, at), base.subarray(at + randInt(rng, 1, 64))]);
    const after = chunkAll(edited, SMALL, GEAR, () => randInt(rng, 1, 1 << 20));
    const afterDigests = digests(after);
    // Every chunk ending at or before the edit is unchanged, at the same index.
    let end = 0;
    for (let i = 0; i < before.length && end + before[i]!.length <= at; i++) {
      end += before[i]!.length;
      assert.equal(afterDigests[i], beforeDigests[i], `case ${k}: chunk ${i} before the edit changed`);
    }
    const afterSet = new Set(afterDigests);
    const added = afterDigests.filter((d) => !beforeSet.has(d)).length;
    const removed = beforeDigests.filter((d) => !afterSet.has(d)).length;
    assert.ok(added >= 1 && added <= 3, `case ${k}: ${added} new chunks after edit`);
    assert.ok(removed >= 1 && removed <= 3, `case ${k}: ${removed} chunks lost after edit`);
  }
});

test('different gear seeds give different boundaries', () => {
  const rng = makeRng(6);
  const data = randomBytes(rng, 4 * 1024 * 1024);
  const cutsOf = (gear: Uint32Array): Set<number> => {
    let off = 0;
    return new Set(chunkAll(data, SMALL, gear).map((c) => (off += c.length)));
  };
  const a = cutsOf(GEAR);
  const b = cutsOf(gearTableFromSeed(seedFrom('secret key 1')));
  const c = cutsOf(gearTableFromSeed(seedFrom('secret key 2')));
  const shared = (x: Set<number>, y: Set<number>): number => [...x].filter((v) => y.has(v)).length;
  // Only the end of input is guaranteed to coincide; a few chance matches are fine.
  assert.ok(shared(a, b) < a.size / 10, `public vs key1 share ${shared(a, b)} of ${a.size}`);
  assert.ok(shared(b, c) < b.size / 10, `key1 vs key2 share ${shared(b, c)} of ${b.size}`);
});

test('average chunk size on random data is near avgSize', () => {
  const rng = makeRng(7);
  const data = randomBytes(rng, 32 * 1024 * 1024);
  for (const params of [SMALL, { minSize: 1024, avgSize: 4096, maxSize: 65536 }]) {
    const chunks = chunkAll(data, params);
    const mean = data.length / chunks.length;
    assert.ok(
      mean >= params.avgSize / 2 && mean <= params.avgSize * 2,
      `mean ${mean.toFixed(0)} for avg ${params.avgSize}`,
    );
  }
});

test('default params: well-formed, split-independent, sensible average', () => {
  const rng = makeRng(8);
  const data = randomBytes(rng, 48 * 1024 * 1024);
  const p = DEFAULT_CHUNKER_PARAMS;
  const whole = chunkAll(data, p);
  assertWellFormed(data, whole, p, 'defaults');
  const split = chunkAll(data, p, GEAR, () => randInt(rng, 1, 3 * 1024 * 1024));
  assert.deepEqual(lengths(split), lengths(whole));
  const mean = data.length / whole.length;
  assert.ok(mean >= p.avgSize / 2 && mean <= p.avgSize * 2, `mean ${mean.toFixed(0)}`);
});

test('all-zero input is cut at maxSize', () => {
  for (const gear of [GEAR, gearTableFromSeed(seedFrom('secret key 1'))]) {
    for (const p of [SMALL, DEFAULT_CHUNKER_PARAMS]) {
      const data = Buffer.alloc(p.maxSize * 3 + 12345);
      const chunks = chunkAll(data, p, gear, () => 100_000);
      assert.deepEqual(lengths(chunks), [p.maxSize, p.maxSize, p.maxSize, 12345]);
    }
  }
});

test('push() keeps less than maxSize bytes buffered', () => {
  const c = new FastCdcChunker(GEAR, SMALL);
  let emitted = 0;
  for (let i = 0; i < 10; i++) {
    for (const ch of c.push(Buffer.alloc(SMALL.maxSize - 1))) emitted += ch.length;
    const buffered = (i + 1) * (SMALL.maxSize - 1) - emitted;
    assert.ok(buffered < SMALL.maxSize, `buffered ${buffered}`);
  }
});

test('invalid params are rejected with a clear error', () => {
  const bad: Array<[Partial<ChunkerParams>, RegExp]> = [
    [{ avgSize: 3000 }, /power of two/],
    [{ minSize: 8192 }, /minSize < avgSize < maxSize/],
    [{ maxSize: 8192 }, /minSize < avgSize < maxSize/],
    [{ minSize: 16 }, /minSize must be at least/],
    [{ minSize: 2048.5 }, /positive integer/],
    [{ maxSize: Number.NaN }, /positive integer/],
    [{ minSize: 0 }, /positive integer/],
    [{ minSize: 64, avgSize: 128 }, /avgSize must be between/],
    [{ avgSize: 2 ** 29, maxSize: 2 ** 30 }, /avgSize must be between/],
    [{ maxSize: 2 ** 31 }, /maxSize must be at most/],
  ];
  for (const [override, msg] of bad) {
    assert.throws(() => new FastCdcChunker(GEAR, { ...SMALL, ...override }), msg, JSON.stringify(override));
  }
  assert.throws(() => new FastCdcChunker(new Uint32Array(255), SMALL), /256 entries/);
  assert.doesNotThrow(() => new FastCdcChunker(GEAR));
  assert.doesNotThrow(() => new FastCdcChunker(GEAR, { minSize: 64, avgSize: 256, maxSize: 257 }));
});

test('masks spread the requested number of bits over the high word', () => {
  for (let bits = 1; bits <= 30; bits++) {
    const m = spreadMask(bits) >>> 0;
    let count = 0;
    for (let v = m; v !== 0; v >>>= 1) count += v & 1;
    assert.equal(count, bits);
    assert.ok(m >>> 31 === 1, 'top bit is used');
    assert.ok((m & 0xff) === 0 || bits > 24, 'low byte unused for typical widths');
  }
});

test('gear table is deterministic, seed-dependent and validated', () => {
  assert.equal(PUBLIC_GEAR_SEED.length, 32);
  assert.deepEqual(
    Buffer.from(PUBLIC_GEAR_SEED),
    createHash('sha256').update('dvom-public-gear-v1').digest(),
  );
  const a = gearTableFromSeed(PUBLIC_GEAR_SEED);
  assert.equal(a.length, 256);
  assert.deepEqual(a, gearTableFromSeed(new Uint8Array(PUBLIC_GEAR_SEED)));
  const b = gearTableFromSeed(seedFrom('other'));
  assert.notDeepEqual(a, b);
  assert.ok(new Set(a).size > 250, 'entries look random');
  assert.throws(() => gearTableFromSeed(new Uint8Array(31)), /32-byte/);
  assert.throws(() => gearTableFromSeed(new Uint8Array(33)), /32-byte/);
});
