/**
 * The blob index holds every blob of a backup in 52-byte records outside the
 * JS heap, and reads and writes index files without parsing them into
 * objects. It must find exactly what it was given, write what older versions
 * read, and read what they wrote.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BlobIndex, decodeIndexInto, encodeIndex, type BlobLocation, type PackInfo } from '../../src/main/engine/repo/blob-index.ts';
import { scanIndex } from '../../src/main/engine/repo/index-scan.ts';
import { isDvomError } from '../../src/main/engine/errors.ts';
import { compressibleText, createRepo, tempDir } from './helpers.ts';

const hexId = () => randomBytes(32).toString('hex');

function samplePacks(packCount: number, blobsPerPack: number): { info: PackInfo; blobs: [string, BlobLocation][] }[] {
  return Array.from({ length: packCount }, (_, p) => {
    const info: PackInfo = { id: hexId(), size: 0, length: 0 };
    const blobs: [string, BlobLocation][] = [];
    for (let b = 0; b < blobsPerPack; b++) {
      const length = 1 + ((p * 7919 + b * 104729) % 70_000);
      blobs.push([hexId(), { pack: info.id, type: b % 5 === 0 ? 'meta' : 'data', offset: info.length, length, rawLength: length * 2 + b, compressed: b % 3 === 0 }]);
      info.length += length;
    }
    info.size = info.length + 41;
    return { info, blobs };
  });
}

/** The document JSON.stringify wrote for an index before encodeIndex wrote it in pieces. */
function stringified(packs: { info: PackInfo; blobs: [string, BlobLocation][] }[]): string {
  return JSON.stringify({
    format: 1,
    packs: packs.map(({ info, blobs }) => ({
      id: info.id,
      size: info.size,
      length: info.length,
      blobs: blobs.map(([id, b]) => [id, b.type === 'meta' ? 1 : 0, b.offset, b.length, b.rawLength, b.compressed ? 1 : 0]),
    })),
  });
}

test('the index finds every blob it was given, through its growth, and nothing else', () => {
  const packs = samplePacks(40, 1500); // 60,000 blobs: the table grows from 1,024 slots many times over
  const index = new BlobIndex();
  for (const { info, blobs } of packs) index.addPack(info, blobs);
  assert.equal(index.size, 60_000);
  for (const { blobs } of packs) {
    for (const [id, loc] of blobs) assert.deepEqual(index.get(id), loc);
  }
  for (let i = 0; i < 1000; i++) assert.equal(index.has(hexId()), false);
  for (const bad of ['', 'zz'.repeat(32), packs[0]!.blobs[0]![0].slice(0, 62), `${packs[0]!.blobs[0]![0]}00`]) {
    assert.equal(index.get(bad), undefined, `'${bad.slice(0, 12)}…' (${bad.length} characters)`);
  }
  const all = [...index.entries()];
  assert.deepEqual(all, packs.flatMap(({ blobs }) => blobs), 'entries() in the order added');
  const byPack = index.byPack();
  assert.deepEqual([...byPack.keys()], packs.map(({ info }) => info.id));
  assert.deepEqual(byPack.get(packs[7]!.info.id), packs[7]!.blobs);
});

test('a blob indexed twice keeps its first location', () => {
  const [a, b] = samplePacks(2, 3);
  const index = new BlobIndex();
  index.addPack(a!.info, a!.blobs);
  const again: [string, BlobLocation][] = [[a!.blobs[1]![0], { ...b!.blobs[0]![1] }], ...b!.blobs];
  index.addPack(b!.info, again);
  assert.equal(index.size, 6);
  assert.deepEqual(index.get(a!.blobs[1]![0]), a!.blobs[1]![1]);
});

test('the index keeps its blobs outside the JS heap', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const ids = Array.from({ length: 100_000 }, hexId); // made first: the strings are the test's, not the index's
  const info: PackInfo = { id: hexId(), size: 100_000 * 100, length: 100_000 * 100 };
  gc();
  const before = process.memoryUsage();
  const index = new BlobIndex();
  const n = index.addPackInfo(info);
  for (let i = 0; i < ids.length; i++) index.addBlob(n, ids[i]!, 'data', i * 100, 100, 200, true);
  gc();
  const after = process.memoryUsage();
  assert.equal(index.size, 100_000);
  // A Map of hex ids to location objects took about 25 MB of heap for as many blobs.
  const heapGrowth = after.heapUsed - before.heapUsed;
  assert.ok(heapGrowth < 2 * 1024 * 1024, `heap grew ${heapGrowth} bytes`);
  const outside = after.arrayBuffers - before.arrayBuffers;
  assert.ok(outside < 100_000 * 80, `${outside} bytes outside the heap for 100,000 blobs`);
});

test('index files are written as JSON.stringify wrote them, and read back whichever way they are laid out', () => {
  const packs = samplePacks(5, 3000); // some 1.5 MB of text: more than one piece
  const written = Buffer.concat([...encodeIndex(packs)]);
  assert.equal(written.toString('utf8'), stringified(packs), 'byte for byte the layout earlier versions wrote');
  assert.ok([...encodeIndex(packs)].length > 1, 'written in pieces');

  const expected = new BlobIndex();
  for (const { info, blobs } of packs) expected.addPack(info, blobs);
  // The same document laid out otherwise (spaces, another key order) is valid JSON all the same, and reads the same.
  const doc = JSON.parse(written.toString('utf8')) as { packs: { id: string; size: number; length: number; blobs: unknown[] }[] };
  const reordered = JSON.stringify({ packs: doc.packs.map((p) => ({ blobs: p.blobs, length: p.length, size: p.size, id: p.id })), format: 1 }, null, 1);
  assert.equal(scanIndex(new BlobIndex(), written), true, 'read without parsing');
  assert.equal(scanIndex(new BlobIndex(), Buffer.from(reordered)), false);
  for (const [label, bytes] of [['as written', written], ['laid out otherwise', Buffer.from(reordered)]] as const) {
    const index = new BlobIndex();
    decodeIndexInto(index, bytes, 'index test');
    assert.deepEqual([...index.entries()], [...expected.entries()], label);
    assert.deepEqual([...index.packs.values()], packs.map(({ info }) => info), label);
  }
  const metaOnly = new BlobIndex();
  decodeIndexInto(metaOnly, written, 'index test', 'meta');
  assert.deepEqual([...metaOnly.entries()].map(([id]) => id), packs.flatMap(({ blobs }) => blobs.filter(([, b]) => b.type === 'meta').map(([id]) => id)));
  assert.equal(Buffer.concat([...encodeIndex([])]).toString(), '{"format":1,"packs":[]}');
});

test('a damaged index file is refused, laid out as written or not', () => {
  const [pack] = samplePacks(1, 3);
  const good = Buffer.concat([...encodeIndex([pack!])]).toString('utf8');
  const [id0] = pack!.blobs[0]!;
  const first = `["${id0}",`;
  const firstOffset = good.indexOf(first) + first.length;
  const damaged: [string, string][] = [
    ['a blob past its pack', good.replace(`"length":${pack!.info.length}`, `"length":${pack!.info.length - 1}`)],
    ['an id in capitals', good.replace(id0, id0.toUpperCase())],
    ['a short id', good.replace(id0, id0.slice(2))],
    ['an offset of 2^32', good.slice(0, firstOffset) + good.slice(firstOffset).replace(/^[01],0,/, (m) => `${m.slice(0, 2)}4294967296,`)],
    ['a type of 2', good.slice(0, firstOffset) + good.slice(firstOffset).replace(/^[01],/, '2,')],
    ['a number with a leading zero', good.replace(`"size":${pack!.info.size}`, `"size":0${pack!.info.size}`)],
    ['a truncated file', good.slice(0, -2)],
  ];
  for (const [label, text] of damaged) {
    assert.notEqual(text, good, label);
    const scanned = new BlobIndex();
    assert.equal(scanIndex(scanned, Buffer.from(text)), false, label);
    assert.equal(scanned.size + scanned.packs.size, 0, `${label}: nothing added`);
    assert.throws(() => decodeIndexInto(new BlobIndex(), Buffer.from(text), 'index test'), (err) => isDvomError(err, 'INTEGRITY'), label);
  }
});

test('a blob added again while its first copy is still being packed is stored once', async (t) => {
  const { repo } = await createRepo(tempDir(t, 'pending-dup'), 'test');
  const index = new BlobIndex();
  const writer = repo.blobWriter(index);
  const data = compressibleText(2 * 1024 * 1024, 7); // compressed on the pool: the second add comes while the first waits
  const small = Buffer.from('small blob '.repeat(30));
  const ids = await Promise.all([writer.add('data', data), writer.add('data', Buffer.from(data)), writer.add('data', small), writer.add('data', Buffer.from(small))]);
  assert.equal(ids[0], ids[1]);
  assert.equal(ids[2], ids[3]);
  const packs = await writer.flush();
  assert.equal(packs.length, 1);
  assert.deepEqual([...packs[0]!.blobs].map(([id]) => id), [ids[0], ids[2]]);
  assert.equal(index.size, 2);
  assert.deepEqual(index.get(ids[0]!)?.pack, packs[0]!.info.id);
  const lengths = [...packs[0]!.blobs].reduce((sum, [, loc]) => sum + loc.length, 0);
  assert.equal(packs[0]!.info.length, lengths, 'the pack holds no second copy');
});
