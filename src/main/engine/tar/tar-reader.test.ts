import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { readTar } from './tar-reader.ts';
import type { TarEntry } from './tar-reader.ts';
import { TarFormatError } from './tar-types.ts';
import type { TarHeader } from './tar-types.ts';
import { checksums, encodeHeaderBlock, paddingFor, ZERO_BLOCK } from './tar-header.ts';
import type { UstarFields } from './tar-header.ts';
import { encodePaxRecords } from './tar-pax.ts';

// ---- helpers ---------------------------------------------------------------

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

interface ReadEntry {
  header: TarHeader;
  data: Buffer;
}

async function readAll(source: AsyncIterable<Buffer>): Promise<ReadEntry[]> {
  const out: ReadEntry[] = [];
  for await (const { header, body } of readTar(source)) {
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(chunk);
    out.push({ header, data: Buffer.concat(parts) });
  }
  return out;
}

const readBuffer = (data: Buffer, slice = 64 * 1024): Promise<ReadEntry[]> => readAll(chunksOf(data, slice));

function block(overrides: Partial<UstarFields>): Buffer {
  return encodeHeaderBlock({
    name: Buffer.from('file.txt'),
    prefix: Buffer.alloc(0),
    mode: 0o644,
    uid: 1000,
    gid: 1000,
    size: 0,
    mtime: 1_700_000_000,
    typeflag: '0',
    linkname: Buffer.alloc(0),
    uname: Buffer.from('user'),
    gname: Buffer.from('group'),
    devmajor: 0,
    devminor: 0,
    ...overrides,
  });
}

/** A complete entry: header block, data, padding. */
function entry(overrides: Partial<UstarFields>, data: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([block({ size: data.length, ...overrides }), data, ZERO_BLOCK.subarray(0, paddingFor(data.length))]);
}

function paxEntry(records: Array<[string, Buffer]>, typeflag = 'x'): Buffer {
  const data = encodePaxRecords(records);
  return entry({ name: Buffer.from('PaxHeaders/x'), typeflag }, data);
}

const END = Buffer.alloc(1024);

function fixChecksum(b: Buffer): Buffer {
  const sum = checksums(b).unsigned;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

async function assertTarError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof TarFormatError, `expected TarFormatError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

// ---- fixture tree for GNU tar interoperability -----------------------------

const LONG_DIR = Buffer.from(`${'d'.repeat(120)}/${'e'.repeat(120)}`);
const LONG_FILE = Buffer.concat([LONG_DIR, Buffer.from(`/${'f'.repeat(90)}.bin`)]);
const NON_UTF8 = Buffer.from([0x66, 0xff, 0xfe]);
const LONG_TARGET = Buffer.from(`${'t'.repeat(80)}/${'u'.repeat(80)}/target`);

function join(a: Buffer, b: Buffer): Buffer {
  return Buffer.concat([a, Buffer.from('/'), b]);
}

function makeFixture(): Buffer {
  const root = Buffer.from(fs.mkdtempSync(nodePath.join(os.tmpdir(), 'dvom-tar-')));
  fs.mkdirSync(join(root, LONG_DIR), { recursive: true });
  fs.writeFileSync(join(root, LONG_FILE), randomBytes(70_000));
  fs.writeFileSync(join(root, Buffer.from('plain.txt')), 'hello tar\n');
  fs.linkSync(join(root, Buffer.from('plain.txt')), join(root, Buffer.from('hard.txt')));
  fs.symlinkSync(LONG_TARGET, join(root, Buffer.from('long-link')));
  fs.symlinkSync('plain.txt', join(root, Buffer.from('short-link')));
  fs.writeFileSync(join(root, Buffer.from('ünïcødé 文件.txt')), 'unicode\n');
  fs.writeFileSync(join(root, NON_UTF8), 'bytes\n');
  fs.writeFileSync(join(root, Buffer.from('zero')), '');
  fs.mkdirSync(join(root, Buffer.from('empty-dir')));
  fs.writeFileSync(join(root, Buffer.from('script.sh')), '#!/bin/sh\n', { mode: 0o750 });
  fs.chmodSync(join(root, Buffer.from('script.sh')), 0o4750);
  fs.mkdirSync(join(root, Buffer.from('sticky')));
  fs.chmodSync(join(root, Buffer.from('sticky')), 0o1777);
  execFileSync('mkfifo', [join(root, Buffer.from('pipe')).toString('latin1')]);
  return root;
}

interface FsEntry {
  type: TarHeader['type'];
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  ino: number;
  data?: Buffer;
  target?: Buffer;
}

/** Tree keyed by hex of the relative path ('.' for the root). */
function walk(root: Buffer): Map<string, FsEntry> {
  const out = new Map<string, FsEntry>();
  const visit = (rel: Buffer): void => {
    const abs = rel.equals(Buffer.from('.')) ? root : join(root, rel);
    const st = fs.lstatSync(abs);
    const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs, ino: st.ino };
    if (st.isDirectory()) {
      out.set(rel.toString('hex'), { type: 'dir', ...base });
      for (const name of fs.readdirSync(abs, { encoding: 'buffer' })) {
        visit(rel.equals(Buffer.from('.')) ? name : join(rel, name));
      }
    } else if (st.isSymbolicLink()) {
      out.set(rel.toString('hex'), { type: 'symlink', ...base, target: fs.readlinkSync(abs, { encoding: 'buffer' }) });
    } else if (st.isFIFO()) {
      out.set(rel.toString('hex'), { type: 'fifo', ...base });
    } else {
      out.set(rel.toString('hex'), { type: 'file', ...base, data: fs.readFileSync(abs) });
    }
  };
  visit(Buffer.from('.'));
  return out;
}

function assertMatchesTree(entries: ReadEntry[], tree: Map<string, FsEntry>, exactMtime: boolean): void {
  assert.deepEqual(
    entries.map((e) => e.header.path.toString('hex')).sort(),
    [...tree.keys()].sort(),
  );
  for (const { header, data } of entries) {
    const expected = tree.get(header.path.toString('hex'))!;
    const what = header.path.toString('latin1');
    assert.equal(header.mode, expected.mode, `mode of ${what}`);
    assert.equal(header.uid, expected.uid, `uid of ${what}`);
    assert.equal(header.gid, expected.gid, `gid of ${what}`);
    if (exactMtime) assert.ok(Math.abs(header.mtimeMs - expected.mtimeMs) < 0.001, `mtime of ${what}`);
    else assert.equal(Math.floor(header.mtimeMs / 1000), Math.floor(expected.mtimeMs / 1000), `mtime of ${what}`);
    if (header.type === 'hardlink') {
      const target = tree.get(header.linkTarget!.toString('hex'));
      assert.equal(expected.type, 'file');
      assert.equal(target?.ino, expected.ino, `hardlink ${what} points at the same inode`);
      continue;
    }
    assert.equal(header.type, expected.type, `type of ${what}`);
    if (expected.type === 'file') {
      assert.equal(header.size, expected.data!.length, `size of ${what}`);
      assert.ok(data.equals(expected.data!), `content of ${what}`);
    } else {
      assert.equal(header.size, 0);
      assert.equal(data.length, 0);
    }
    if (expected.type === 'symlink') assert.deepEqual(header.linkTarget, expected.target, `target of ${what}`);
  }
  assert.ok(entries.some((e) => e.header.type === 'hardlink'), 'archive contains a hardlink entry');
}

// ---- GNU tar interoperability ------------------------------------------------

for (const format of ['pax', 'gnu'] as const) {
  test(`reads archives written by GNU tar --format=${format}`, async () => {
    const root = makeFixture();
    const tree = walk(root);
    const archive = nodePath.join(root.toString('latin1'), '..', `${nodePath.basename(root.toString('latin1'))}.${format}.tar`);
    try {
      execFileSync('tar', [`--format=${format}`, '-C', root.toString('latin1'), '-cf', archive, '.']);
      const data = fs.readFileSync(archive);
      const entries = await readBuffer(data);
      assertMatchesTree(entries, tree, format === 'pax');
      assert.equal(entries[0]!.header.path.toString(), '.', "the root './' is reported as '.'");

      // Arbitrary chunk boundaries must give identical results.
      for (const slice of [1, 7, 511, 513]) {
        assert.deepEqual(await readBuffer(data, slice), entries, `slices of ${slice} bytes`);
      }
    } finally {
      fs.rmSync(root.toString('latin1'), { recursive: true, force: true });
      fs.rmSync(archive, { force: true });
    }
  });
}

// ---- format features -----------------------------------------------------------

test('ustar prefix, PAX path/linkpath/size/mtime/uid/gid/uname/gname, GNU L/K', async () => {
  const longName = Buffer.concat([Buffer.from('a/'.repeat(150)), NON_UTF8]);
  const archive = Buffer.concat([
    entry({ prefix: Buffer.from('some/prefix'), name: Buffer.from('name.txt') }, Buffer.from('one')),
    paxEntry([
      ['path', longName],
      ['linkpath', NON_UTF8],
      ['mtime', Buffer.from('1700000000.25')],
      ['uid', Buffer.from('4000000000')],
      ['gid', Buffer.from('3000000')],
      ['uname', Buffer.from('ünï')],
      ['gname', Buffer.from('grüp')],
      ['atime', Buffer.from('1.5')],
    ]),
    entry({ name: Buffer.from('ignored'), typeflag: '2', linkname: Buffer.from('ignored') }),
    entry({ name: Buffer.from('././@LongLink'), typeflag: 'L' }, Buffer.concat([longName, Buffer.from([0])])),
    entry({ name: Buffer.from('././@LongLink'), typeflag: 'K' }, Buffer.from('long/target\0')),
    entry({ name: Buffer.from('trunc'), typeflag: '1', linkname: Buffer.from('trunc') }),
    paxEntry([['size', Buffer.from('5')], ['comment', Buffer.from('x')]]),
    entry({ name: Buffer.from('./sized/') }, Buffer.from('12345')),
    END,
  ]);
  const entries = await readBuffer(archive, 100);
  assert.equal(entries.length, 4);
  assert.equal(entries[0]!.header.path.toString(), 'some/prefix/name.txt');
  assert.equal(entries[0]!.data.toString(), 'one');
  const pax = entries[1]!.header;
  assert.deepEqual(pax.path, longName);
  assert.equal(pax.type, 'symlink');
  assert.deepEqual(pax.linkTarget, NON_UTF8);
  assert.equal(pax.mtimeMs, 1_700_000_000_250);
  assert.equal(pax.uid, 4_000_000_000);
  assert.equal(pax.gid, 3_000_000);
  assert.equal(pax.uname, 'ünï');
  assert.equal(pax.gname, 'grüp');
  assert.deepEqual(entries[2]!.header.path, longName);
  assert.equal(entries[2]!.header.type, 'hardlink');
  assert.equal(entries[2]!.header.linkTarget!.toString(), 'long/target');
  assert.equal(entries[3]!.header.path.toString(), 'sized');
  assert.equal(entries[3]!.data.toString(), '12345');
});

test('type flags, device numbers, v7 directories and path normalization', async () => {
  const archive = Buffer.concat([
    entry({ name: Buffer.from('./') , typeflag: '5' }),
    entry({ name: Buffer.from('.'), typeflag: '5' }),
    entry({ name: Buffer.from('_data/'), typeflag: '5' }),
    entry({ name: Buffer.from('a'), typeflag: '\0' }, Buffer.from('x')),
    entry({ name: Buffer.from('b'), typeflag: '7' }, Buffer.from('yy')),
    entry({ name: Buffer.from('old-dir/'), typeflag: '\0' }),
    entry({ name: Buffer.from('tty'), typeflag: '3', devmajor: 4, devminor: 64 }),
    entry({ name: Buffer.from('sda'), typeflag: '4', devmajor: 8, devminor: 0 }),
    entry({ name: Buffer.from('fifo'), typeflag: '6' }),
    entry({ name: Buffer.from('./x/y//'), typeflag: '5', mode: 0o41777 }),
    END,
  ]);
  const headers = (await readBuffer(archive)).map((e) => e.header);
  assert.deepEqual(
    headers.map((h) => [h.path.toString(), h.type]),
    [
      ['.', 'dir'],
      ['.', 'dir'],
      ['_data', 'dir'],
      ['a', 'file'],
      ['b', 'file'],
      ['old-dir', 'dir'],
      ['tty', 'char'],
      ['sda', 'block'],
      ['fifo', 'fifo'],
      ['x/y', 'dir'],
    ],
  );
  assert.deepEqual([headers[6]!.devMajor, headers[6]!.devMinor], [4, 64]);
  assert.deepEqual([headers[7]!.devMajor, headers[7]!.devMinor], [8, 0]);
  assert.equal(headers[9]!.mode, 0o1777, 'file type bits are masked off');
});

test('old v7 header without magic, signed checksum and base-256 numbers', async () => {
  const v7 = block({ name: Buffer.from('v7.txt'), size: 2 });
  v7.fill(0, 257, 512); // no magic, uname, ... : a v7 header
  fixChecksum(v7);

  // Signed checksum: a name with high bytes, checksum stored as the signed sum.
  const signed = block({ name: Buffer.from([0x6e, 0xe9, 0xff]), size: 0 });
  signed.write(`${checksums(signed).signed.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  assert.notEqual(checksums(signed).signed, checksums(signed).unsigned);

  // Base-256 size and negative mtime (GNU encoding).
  const binary = block({ name: Buffer.from('bin'), size: 0 });
  binary.fill(0, 124, 148);
  binary[124] = 0x80;
  binary[135] = 3; // size 3
  binary.fill(0xff, 136, 148); // mtime -1
  fixChecksum(binary);

  const archive = Buffer.concat([v7, Buffer.from('hi'), ZERO_BLOCK.subarray(2), signed, binary, Buffer.from('abc'), ZERO_BLOCK.subarray(3), END]);
  const entries = await readBuffer(archive);
  assert.equal(entries[0]!.header.path.toString(), 'v7.txt');
  assert.equal(entries[0]!.data.toString(), 'hi');
  assert.equal(entries[0]!.header.uname, undefined);
  assert.deepEqual(entries[1]!.header.path, Buffer.from([0x6e, 0xe9, 0xff]));
  assert.equal(entries[2]!.header.size, 3);
  assert.equal(entries[2]!.header.mtimeMs, -1000);
  assert.equal(entries[2]!.data.toString(), 'abc');
});

test('PAX global headers are skipped', async () => {
  const archive = Buffer.concat([paxEntry([['comment', Buffer.from('x'.repeat(2000))]], 'g'), entry({}, Buffer.from('z')), END]);
  const entries = await readBuffer(archive);
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.data.toString(), 'z');
});

// ---- end of archive ----------------------------------------------------------------

test('end of archive: two zero blocks, one zero block, or a clean block boundary', async () => {
  const one = entry({}, Buffer.from('data'));
  assert.equal((await readBuffer(Buffer.concat([one, END]))).length, 1);
  assert.equal((await readBuffer(Buffer.concat([one, ZERO_BLOCK]))).length, 1);
  assert.equal((await readBuffer(one)).length, 1);
  assert.equal((await readBuffer(Buffer.alloc(0))).length, 0);
  // GNU tar pads to 10 KiB records; trailing padding is consumed and ignored.
  assert.equal((await readBuffer(Buffer.concat([one, Buffer.alloc(10240)]))).length, 1);
});

test('a lone zero block followed by more data is an error', async () => {
  await assertTarError(readBuffer(Buffer.concat([entry({}), ZERO_BLOCK, entry({})])), /zero block at offset 512/);
});

// ---- malformed input ------------------------------------------------------------------

test('bad checksum reports the header offset', async () => {
  const second = entry({ name: Buffer.from('second') });
  second[0] = 0x53; // corrupt the name without fixing the checksum
  await assertTarError(readBuffer(Buffer.concat([entry({}, Buffer.from('x')), second, END])), /bad header checksum at offset 1024/);
  const garbage = Buffer.from('this is not a tar archive at all'.repeat(16));
  await assertTarError(readBuffer(garbage), /bad header checksum at offset 0/);
});

test('truncated archives are errors', async () => {
  const archive = Buffer.concat([entry({ name: Buffer.from('a') }, Buffer.from('x'.repeat(1000))), entry({ name: Buffer.from('b') }), END]);
  await assertTarError(readBuffer(archive.subarray(0, 300)), /truncated archive: header at offset 0/);
  await assertTarError(readBuffer(archive.subarray(0, 1024 + 300)), /truncated archive/); // inside padding
  await assertTarError(readBuffer(archive.subarray(0, 512 + 700)), /truncated archive: body of entry at offset 0 ended after 700 of 1000 bytes/);
  await assertTarError(readBuffer(archive.subarray(0, 1536 + 100)), /truncated archive: header at offset 1536/);
  await assertTarError(readBuffer(archive.subarray(0, 2560 + 100)), /truncated archive: end-of-archive block at offset 2560/);
  // Consumer that skips bodies sees the same errors.
  await assertTarError(
    (async () => {
      for await (const e of readTar(chunksOf(archive.subarray(0, 900), 64))) void e;
    })(),
    /truncated archive/,
  );
  const pax = paxEntry([['path', Buffer.from('x')]]);
  await assertTarError(readBuffer(pax), /extended header at offset 0 is not followed by an entry/);
  await assertTarError(readBuffer(Buffer.concat([pax, END])), /extended header at offset 0 is not followed by an entry/);
  await assertTarError(readBuffer(pax.subarray(0, 520)), /extended header at offset 0 ended after/);
});

test('invalid numeric fields are reported by name', async () => {
  const bad = block({});
  bad.write('12z4', 124, 'latin1');
  fixChecksum(bad);
  await assertTarError(readBuffer(bad), /invalid numeric field 'size' in header at offset 0/);
  const badMode = block({});
  badMode.write('9', 100, 'latin1');
  fixChecksum(badMode);
  await assertTarError(readBuffer(badMode), /invalid numeric field 'mode'/);
  const negative = block({});
  negative.fill(0xff, 124, 136);
  fixChecksum(negative);
  await assertTarError(readBuffer(negative), /negative numeric field 'size'/);
  const huge = block({});
  huge.fill(0x7f, 124, 136);
  huge[124] = 0x80 | 0x3f;
  fixChecksum(huge);
  await assertTarError(readBuffer(huge), /numeric field 'size' out of range/);
});

test('unsupported entry types are named', async () => {
  await assertTarError(readBuffer(Buffer.concat([entry({ typeflag: 'S' }), END])), /unsupported entry type 'S' \(GNU sparse file\) at offset 0/);
  await assertTarError(readBuffer(Buffer.concat([entry({ typeflag: 'V' }), END])), /unsupported entry type 'V'/);
  await assertTarError(readBuffer(Buffer.concat([entry({ typeflag: 'Z' }), END])), /unsupported entry type 'Z'/);
  await assertTarError(readBuffer(Buffer.concat([entry({ typeflag: '\x01' }), END])), /unsupported entry type 0x01/);
  const sparse = Buffer.concat([paxEntry([['GNU.sparse.major', Buffer.from('1')]]), entry({}), END]);
  await assertTarError(readBuffer(sparse), /GNU sparse file/);
});

test('malformed PAX headers', async () => {
  const withPax = (data: Buffer): Buffer => Buffer.concat([entry({ typeflag: 'x' }, data), entry({}), END]);
  await assertTarError(readBuffer(withPax(Buffer.from('99 path=x\n'))), /runs past the end/);
  await assertTarError(readBuffer(withPax(Buffer.from('abc path=x\n'))), /malformed record length/);
  await assertTarError(readBuffer(withPax(Buffer.from('11 pathxxx\n'))), /has no key/);
  await assertTarError(readBuffer(withPax(Buffer.from('8 path=x\n'))), /does not end with a newline/);
  await assertTarError(readBuffer(withPax(Buffer.from('12 size=-10\n'))), /invalid PAX record 'size'/);
  await assertTarError(readBuffer(withPax(Buffer.from('14 mtime=1e10\n'))), /invalid PAX record 'mtime'/);
  await assertTarError(readBuffer(withPax(Buffer.from('11 path=a\0\n'))), /NUL byte/);
  const huge = block({ typeflag: 'x', size: 2 ** 30 });
  await assertTarError(readBuffer(huge), /extended header at offset 0 is too large/);
  const many = paxEntry([['comment', Buffer.alloc(1000 * 1000, 0x61)]]);
  await assertTarError(readBuffer(Buffer.concat([many, many, many, many, many, entry({}), END])), /too much extended header data for one entry \(\d+ bytes\) at offset 4003840/);
  // Trailing NUL padding after the records is tolerated.
  const padded = await readBuffer(withPax(Buffer.from('11 path=ok\n\0\0\0')));
  assert.equal(padded[0]!.header.path.toString(), 'ok');
});

test('empty names and links without targets are rejected', async () => {
  await assertTarError(readBuffer(Buffer.concat([entry({ name: Buffer.alloc(0) }), END])), /empty path/);
  await assertTarError(readBuffer(Buffer.concat([entry({ typeflag: '2' }), END])), /symlink without a target/);
});

// ---- consumer behaviour --------------------------------------------------------------

test('bodies the consumer skips or reads partially are drained', async () => {
  const big = randomBytes(300_000);
  const archive = Buffer.concat([
    entry({ name: Buffer.from('skipped') }, big),
    entry({ name: Buffer.from('partial') }, big),
    entry({ name: Buffer.from('read') }, Buffer.from('tail')),
    END,
  ]);
  const seen: string[] = [];
  for await (const { header, body } of readTar(chunksOf(archive, 4096))) {
    seen.push(header.path.toString());
    if (header.path.toString() === 'partial') {
      for await (const chunk of body) {
        assert.ok(chunk.equals(big.subarray(0, chunk.length)));
        break;
      }
    }
    if (header.path.toString() === 'read') {
      const parts: Buffer[] = [];
      for await (const chunk of body) parts.push(chunk);
      assert.equal(Buffer.concat(parts).toString(), 'tail');
    }
  }
  assert.deepEqual(seen, ['skipped', 'partial', 'read']);
});

test('reading a body after advancing fails; stopping early closes the source', async () => {
  const archive = Buffer.concat([entry({ name: Buffer.from('a') }, Buffer.from('aa')), entry({ name: Buffer.from('b') }), END]);
  const entries: TarEntry[] = [];
  for await (const e of readTar(chunksOf(archive, 512))) entries.push(e);
  await assert.rejects(async () => {
    for await (const chunk of entries[0]!.body) void chunk;
  }, /after advancing/);

  let closed = false;
  async function* source(): AsyncGenerator<Buffer> {
    try {
      yield archive;
      yield Buffer.alloc(1 << 20); // never reached
    } finally {
      closed = true;
    }
  }
  for await (const e of readTar(source())) {
    void e;
    break;
  }
  assert.ok(closed);
});

test('accepts Uint8Array chunks', async () => {
  const archive = Buffer.concat([entry({}, Buffer.from('u8')), END]);
  async function* source(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(archive.buffer.slice(archive.byteOffset, archive.byteOffset + archive.length));
  }
  const [only] = await readAll(source() as AsyncIterable<Buffer>);
  assert.equal(only!.data.toString(), 'u8');
});

test('a body larger than 8 GiB streams in constant memory', async () => {
  const size = 8 * 1024 ** 3 + 5;
  const zeros = Buffer.alloc(1 << 20);
  const header = paxEntry([['size', Buffer.from(String(size))]]);
  const main = block({ name: Buffer.from('huge.img'), size: 0 });
  async function* source(): AsyncGenerator<Buffer> {
    yield header;
    yield main;
    let left = size;
    while (left > 0) {
      const n = Math.min(left, zeros.length);
      yield zeros.subarray(0, n);
      left -= n;
    }
    yield ZERO_BLOCK.subarray(0, paddingFor(size));
    yield entry({ name: Buffer.from('after') }, Buffer.from('ok'));
    yield END;
  }
  const seen: Array<[string, number]> = [];
  for await (const { header: h, body } of readTar(source())) {
    seen.push([h.path.toString(), h.size]);
    if (h.path.toString() === 'huge.img') {
      // Read part of it and let the reader skip the rest.
      let total = 0;
      for await (const chunk of body) {
        total += chunk.length;
        if (total > size / 2) break;
      }
    }
  }
  assert.deepEqual(seen, [
    ['huge.img', size],
    ['after', 2],
  ]);
});

// ---- ownsChunks: freeing what the reader passes over ------------------------------------

const isFreed = (chunk: Buffer) => (chunk.buffer as ArrayBuffer).detached;

/** `data` in chunks of `size` bytes, each memory of its own, remembered in `made`. */
async function* ownChunksOf(data: Buffer, size: number, made: Buffer[]): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    const chunk = Buffer.allocUnsafeSlow(Math.min(size, data.length - i)); // never from Node's pool
    data.copy(chunk, 0, i, i + chunk.length);
    made.push(chunk);
    yield chunk;
  }
}

test('ownsChunks: chunks of a skipped body are freed as the reader passes them; views it handed out stay intact', async () => {
  const skipped = randomBytes(300_000);
  const kept = randomBytes(100_000);
  const archive = Buffer.concat([
    entry({ name: Buffer.from('skipped') }, skipped),
    entry({ name: Buffer.from('kept') }, kept),
    entry({ name: Buffer.from('after') }, Buffer.from('tail')),
    END,
  ]);
  const made: Buffer[] = [];
  const seen: string[] = [];
  const pieces: Buffer[] = [];
  for await (const { header, body } of readTar(ownChunksOf(archive, 8192, made), { ownsChunks: true })) {
    seen.push(header.path.toString()); // the header's path is a view too: still readable after the reader moved on
    if (header.path.toString() === 'kept') for await (const piece of body) pieces.push(piece);
  }
  assert.deepEqual(seen, ['skipped', 'kept', 'after']);
  // Kept past the entry (as a consumer that keeps views may): every byte is still there.
  assert.ok(Buffer.concat(pieces).equals(kept));
  // The chunks wholly inside the skipped body were freed; none that a view was taken from.
  const firstOfKept = Math.floor((1024 + skipped.length + paddingFor(skipped.length)) / 8192);
  const freed = made.filter(isFreed).length;
  assert.ok(freed >= Math.floor(skipped.length / 8192) - 2, `${freed} of the skipped body's chunks freed`);
  for (const chunk of made.slice(firstOfKept)) {
    if (isFreed(chunk)) assert.fail('a chunk the kept body was read from was freed');
  }
});

test('ownsChunks: a chunk that is part of a larger memory is never freed; without ownsChunks nothing is', async () => {
  const body = randomBytes(200_000);
  const archive = Buffer.concat([entry({ name: Buffer.from('a') }, body), END]);
  // Parts of one memory: freeing one would free them all.
  for await (const _ of readTar(chunksOf(archive, 8192), { ownsChunks: true })) void _;
  assert.equal(isFreed(archive), false);
  const made: Buffer[] = [];
  for await (const _ of readTar(ownChunksOf(archive, 8192, made))) void _;
  assert.equal(made.filter(isFreed).length, 0);
});

test('lentBodies: a piece stays intact until the next is asked for, then its memory is freed; header views are never freed', async () => {
  const data = randomBytes(200_000);
  const archive = Buffer.concat([entry({ name: Buffer.from('lent') }, data), entry({ name: Buffer.from('next') }, Buffer.from('x')), END]);
  const made: Buffer[] = [];
  const paths: Buffer[] = [];
  let checked = 0;
  for await (const { header, body } of readTar(ownChunksOf(archive, 8192, made), { ownsChunks: true, lentBodies: true })) {
    paths.push(header.path);
    if (header.path.toString() !== 'lent') continue;
    let previous: Buffer | undefined;
    let previousLength = 0; // a view of freed memory reads as empty
    let pos = 0;
    for await (const piece of body) {
      assert.equal(isFreed(piece), false, 'a piece freed before the next was asked for');
      assert.ok(piece.equals(data.subarray(pos, pos + piece.length)), `piece at ${pos}`);
      // The one before was all of its chunk (8 KiB chunks, the body starts on one's edge): freed now.
      if (previous && previousLength === 8192) {
        assert.equal(isFreed(previous), true, `piece before ${pos} not freed`);
        checked++;
      }
      previous = piece;
      previousLength = piece.length;
      pos += piece.length;
    }
    assert.equal(pos, data.length);
  }
  assert.ok(checked > 10, `${checked} pieces checked`);
  assert.deepEqual(paths.map(String), ['lent', 'next']);
  // Without lentBodies the same pieces are the consumer's to keep.
  const kept: Buffer[] = [];
  for await (const { body } of readTar(ownChunksOf(archive, 8192, []), { ownsChunks: true })) for await (const piece of body) kept.push(piece);
  assert.ok(Buffer.concat(kept).equals(Buffer.concat([data, Buffer.from('x')])));
});
