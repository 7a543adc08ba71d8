import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { Writable } from 'node:stream';
import { encodeEntryHeader, TarWriter } from './tar-writer.ts';
import { readTar } from './tar-reader.ts';
import type { TarHeader } from './tar-types.ts';
import { BLOCK_SIZE, decodeHeaderBlock, MAX_OCTAL_11 } from './tar-header.ts';
import { formatPaxTime, parsePaxRecords, parsePaxTime } from './tar-pax.ts';

// ---- helpers ---------------------------------------------------------------

/** Collects everything written; optionally slow, to exercise backpressure. */
class Sink extends Writable {
  chunks: Buffer[] = [];
  bytes = 0;
  /** Only the first `keep` bytes are stored (roughly: whole chunks). */
  keep: number;
  slow: boolean;
  constructor(opts: { keep?: number; slow?: boolean; highWaterMark?: number } = {}) {
    super({ highWaterMark: opts.highWaterMark ?? 16 * 1024 });
    this.keep = opts.keep ?? Infinity;
    this.slow = opts.slow ?? false;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.bytes < this.keep) this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    if (this.slow) setImmediate(cb);
    else cb();
  }
  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function* bytes(data: Buffer, chunk = 8192): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
}

interface Item {
  header: TarHeader;
  data?: Buffer;
}

async function writeArchive(items: Item[], sink = new Sink()): Promise<Buffer> {
  const writer = new TarWriter(sink);
  for (const { header, data } of items) await writer.add(header, data === undefined ? undefined : bytes(data));
  await writer.finish();
  return sink.data;
}

async function readArchive(data: Buffer, slice = 65536): Promise<Item[]> {
  const out: Item[] = [];
  for await (const { header, body } of readTar(bytes(data, slice))) {
    const parts: Buffer[] = [];
    for await (const chunk of body) parts.push(chunk);
    out.push(header.type === 'file' ? { header, data: Buffer.concat(parts) } : { header });
  }
  return out;
}

const MTIME = 1_700_000_000_000;
function file(path: string | Buffer, data: Buffer, extra: Partial<TarHeader> = {}): Item {
  return {
    header: { path: Buffer.from(path), type: 'file', mode: 0o644, uid: 1000, gid: 1000, mtimeMs: MTIME, size: data.length, ...extra },
    data,
  };
}
function node(path: string | Buffer, type: TarHeader['type'], extra: Partial<TarHeader> = {}): Item {
  return { header: { path: Buffer.from(path), type, mode: 0o755, uid: 0, gid: 0, mtimeMs: MTIME, size: 0, ...extra } };
}

const NON_UTF8 = Buffer.from([0x66, 0xff, 0xfe]);
// No '/' lets ustar's prefix split help here: components are longer than 100/155 bytes.
const LONG_PATH = `${'a'.repeat(160)}/${'b'.repeat(110)}/${'c'.repeat(40)}.dat`;
const LONG_TARGET = Buffer.from(`../${'t'.repeat(150)}/${'ü'.repeat(20)}`);

function trickyItems(): Item[] {
  return [
    node('.', 'dir'),
    node('empty', 'dir', { mode: 0o1777 }),
    node(`${'a'.repeat(160)}`, 'dir'),
    node(`${'a'.repeat(160)}/${'b'.repeat(110)}`, 'dir'),
    file(LONG_PATH, randomBytes(100_000), { mode: 0o4755 }),
    file(NON_UTF8, Buffer.from('not utf-8 name\n')),
    file('ünïcødé 文件.txt', Buffer.from('unicode\n'), { uname: 'üser', gname: 'g'.repeat(40) }),
    file('zero', Buffer.alloc(0)),
    file('exact-block', randomBytes(BLOCK_SIZE)),
    node('long-link', 'symlink', { mode: 0o777, linkTarget: LONG_TARGET }),
    node('odd-link', 'symlink', { mode: 0o777, linkTarget: NON_UTF8 }),
    node('hard', 'hardlink', { mode: 0o4755, linkTarget: Buffer.from(LONG_PATH) }),
    node('pipe', 'fifo', { mode: 0o600 }),
  ];
}

// ---- round trips -----------------------------------------------------------------

test('round trip of tricky entries, with arbitrary chunk boundaries', async () => {
  const items = [
    ...trickyItems(),
    file('fractional', Buffer.from('x'), { mtimeMs: 1_700_000_000_123.456, uid: 3_000_000_000, gid: 5_000_000 }),
    file('before-1970', Buffer.from('y'), { mtimeMs: -1500.5 }),
    node('tty', 'char', { devMajor: 4, devMinor: 64 }),
    node('disk', 'block', { devMajor: 259, devMinor: 3_000_000 }),
  ];
  const archive = await writeArchive(items);
  assert.equal(archive.length % BLOCK_SIZE, 0);
  for (const slice of [archive.length, 1, 7]) {
    assert.deepEqual(await readArchive(archive, slice), items, `slices of ${slice} bytes`);
  }
});

test('empty files may omit the body; ustar prefix split avoids PAX', async () => {
  const path = `${'p'.repeat(150)}/${'n'.repeat(99)}`; // 250 bytes: fits prefix + name
  const archive = await writeArchive([{ header: file(path, Buffer.alloc(0)).header }]);
  assert.equal(archive.length, BLOCK_SIZE + 1024, 'one header block, no PAX header');
  const [only] = await readArchive(archive);
  assert.equal(only!.header.path.toString(), path);
  assert.equal(only!.data!.length, 0);
});

test('PAX is used only when needed', () => {
  const plain = encodeEntryHeader(file('x/y', Buffer.alloc(0)).header);
  assert.equal(plain.length, BLOCK_SIZE);
  const needsPax: Array<Partial<TarHeader>> = [
    { path: Buffer.from('a'.repeat(101)) },
    { path: Buffer.from('é') },
    { uid: 0o7777777 + 1 },
    { gid: 0o7777777 + 1 },
    { mtimeMs: MTIME + 1 },
    { size: MAX_OCTAL_11 + 1 },
    { uname: 'x'.repeat(33) },
  ];
  for (const extra of needsPax) {
    const encoded = encodeEntryHeader(file('x/y', Buffer.alloc(0), extra).header);
    assert.equal(decodeHeaderBlock(encoded.subarray(0, BLOCK_SIZE), 0).typeflag, 'x', JSON.stringify(extra));
  }
  const dir = encodeEntryHeader(node('d'.repeat(100), 'dir').header);
  assert.equal(dir.length, 3 * BLOCK_SIZE, 'trailing slash pushes a 100-byte dir name into PAX');
  assert.equal(encodeEntryHeader(file('x', Buffer.alloc(0), { size: MAX_OCTAL_11 }).header).length, BLOCK_SIZE);
});

test('header codec: sizes beyond 8 GiB', async () => {
  const size = 10 * 1024 ** 3 + 7;
  const header: TarHeader = { path: Buffer.from('huge.img'), type: 'file', mode: 0o600, uid: 1, gid: 2, mtimeMs: MTIME, size };
  const encoded = encodeEntryHeader(header);
  // PAX header + one block of records + ustar block.
  assert.equal(encoded.length, 3 * BLOCK_SIZE);
  const paxHeader = decodeHeaderBlock(encoded.subarray(0, BLOCK_SIZE), 0);
  const records = parsePaxRecords(encoded.subarray(BLOCK_SIZE, BLOCK_SIZE + paxHeader.size), BLOCK_SIZE);
  assert.equal(records.get('size')?.toString(), String(size));
  // The ustar block carries the size in base-256 too, for readers that skip PAX.
  const ustar = decodeHeaderBlock(encoded.subarray(2 * BLOCK_SIZE), 2 * BLOCK_SIZE);
  assert.equal(ustar.size, size);
  assert.equal(encoded[2 * BLOCK_SIZE + 124]! & 0x80, 0x80);

  // Full decode through the reader, with a body that is skipped (never materialized).
  const zeros = Buffer.alloc(1 << 20);
  async function* source(): AsyncGenerator<Buffer> {
    yield encoded;
    for (let left = size; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length));
    yield Buffer.alloc(BLOCK_SIZE - (size % BLOCK_SIZE) + 1024);
  }
  const headers: TarHeader[] = [];
  for await (const e of readTar(source())) headers.push(e.header);
  assert.deepEqual(headers, [header]);
});

test('PAX time formatting keeps sub-millisecond precision', () => {
  for (const ms of [0, 1, 999.5, -1, -1500.5, 1_700_000_000_123.456, 1_700_000_000_000 + 999.9999, 0.000001]) {
    const text = formatPaxTime(ms);
    assert.match(text, /^-?[0-9]+(\.[0-9]+)?$/);
    assert.equal(parsePaxTime('mtime', Buffer.from(text), 0), ms, `${ms} -> ${text}`);
  }
  assert.equal(formatPaxTime(1_700_000_000_250), '1700000000.25');
  assert.equal(formatPaxTime(-1500), '-1.5');
});

test('streams a body larger than 8 GiB without buffering it', async () => {
  const size = 8 * 1024 ** 3 + 3;
  const zeros = Buffer.alloc(1 << 20);
  async function* body(): AsyncGenerator<Buffer> {
    for (let left = size; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length));
  }
  const sink = new Sink({ keep: 1 });
  const writer = new TarWriter(sink);
  await writer.add({ path: Buffer.from('big'), type: 'file', mode: 0o644, uid: 0, gid: 0, mtimeMs: MTIME, size }, body());
  await writer.finish();
  const headerLen = 3 * BLOCK_SIZE;
  assert.equal(sink.bytes, headerLen + size + (BLOCK_SIZE - (size % BLOCK_SIZE)) + 1024);
  assert.equal(decodeHeaderBlock(sink.data.subarray(2 * BLOCK_SIZE, headerLen), 0).size, size);
});

// ---- misuse and failures ------------------------------------------------------------

test('body length must match header.size', async () => {
  const short = new TarWriter(new Sink());
  await assert.rejects(short.add(file('f', Buffer.alloc(5)).header, bytes(Buffer.alloc(3))), /has 3 bytes, header says 5/);
  await assert.rejects(short.add(node('d', 'dir').header), /failed earlier/);
  await assert.rejects(short.finish(), /failed earlier/);

  const long = new TarWriter(new Sink());
  await assert.rejects(long.add(file('f', Buffer.alloc(5)).header, bytes(Buffer.alloc(6))), /longer than its size 5/);
});

test('invalid headers are rejected before anything is written', async () => {
  const sink = new Sink();
  const writer = new TarWriter(sink);
  await assert.rejects(writer.add(file('f', Buffer.alloc(2)).header), /body is required/);
  await assert.rejects(writer.add(node('d', 'dir').header, bytes(Buffer.alloc(1))), /cannot have a body/);
  await assert.rejects(writer.add(file('', Buffer.alloc(0)).header), /path is empty/);
  await assert.rejects(writer.add(file('a\0b', Buffer.alloc(0)).header), /NUL/);
  await assert.rejects(writer.add(file('f', Buffer.alloc(0), { uid: -1 }).header), /uid must be a non-negative integer/);
  await assert.rejects(writer.add(node('d', 'dir', { size: 3 }).header), /must have size 0/);
  await assert.rejects(writer.add(node('l', 'symlink').header), /needs a linkTarget/);
  await assert.rejects(writer.add(file('f', Buffer.alloc(0), { mtimeMs: NaN }).header), /mtimeMs/);
  assert.equal(sink.bytes, 0);
  // The writer is still usable.
  await writer.add(node('ok', 'dir').header);
  await writer.finish();
  assert.equal((await readArchive(sink.data)).length, 1);
  await assert.rejects(writer.add(node('late', 'dir').header), /already finished/);
});

test('respects backpressure', async () => {
  const sink = new Sink({ slow: true, highWaterMark: 1024 });
  let violations = 0;
  let drains = 0;
  sink.on('drain', () => drains++);
  const write = sink.write.bind(sink) as (chunk: Buffer) => boolean;
  (sink as unknown as { write: (chunk: Buffer) => boolean }).write = (chunk: Buffer) => {
    if (sink.writableNeedDrain) violations++;
    return write(chunk);
  };
  const items = [file('a', randomBytes(200_000)), file('b', randomBytes(3000)), node('c', 'dir')];
  const archive = await writeArchive(items, sink);
  assert.equal(violations, 0, 'never writes while the stream asks to wait for drain');
  assert.ok(drains > 10);
  assert.deepEqual(await readArchive(archive), items);
});

test('output stream errors reject instead of hanging', async () => {
  const failing = new Writable({
    highWaterMark: 1024,
    write(_chunk, _enc, cb) {
      setImmediate(() => cb(new Error('disk full')));
    },
  });
  failing.on('error', () => undefined);
  const writer = new TarWriter(failing);
  await assert.rejects(writer.add(file('a', Buffer.alloc(100_000)).header, bytes(Buffer.alloc(100_000))), /disk full/);
  await assert.rejects(writer.finish(), /failed earlier/);
});

// ---- GNU tar interoperability ----------------------------------------------------

function walk(root: Buffer, rel: Buffer | null, out: Map<string, fs.Stats & { target?: Buffer; data?: Buffer }>): void {
  const abs = rel ? Buffer.concat([root, Buffer.from('/'), rel]) : root;
  const st = fs.lstatSync(abs) as fs.Stats & { target?: Buffer; data?: Buffer };
  out.set((rel ?? Buffer.from('.')).toString('hex'), st);
  if (st.isSymbolicLink()) st.target = fs.readlinkSync(abs, { encoding: 'buffer' });
  if (st.isFile()) st.data = fs.readFileSync(abs);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(abs, { encoding: 'buffer' })) walk(root, rel ? Buffer.concat([rel, Buffer.from('/'), name]) : name, out);
  }
}

test('GNU tar lists and extracts archives written by TarWriter', async () => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'dvom-tarw-'));
  try {
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    const items = trickyItems()
      .filter((i) => i.header.path.toString() !== '.')
      .map((i) => ({ ...i, header: { ...i.header, uid, gid } }));
    items.push(file('fractional', Buffer.from('ns'), { uid, gid, mtimeMs: 1_600_000_000_123.5 }));
    const archivePath = nodePath.join(tmp, 'out.tar');
    fs.writeFileSync(archivePath, await writeArchive(items));

    const list = spawnSync('tar', ['-tvf', archivePath], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.equal(list.stderr, '');
    const lines = list.stdout.trim().split('\n');
    assert.equal(lines.length, items.length);
    assert.ok(lines.some((l) => l.includes('f\\377\\376')), 'non-UTF-8 name listed');
    assert.ok(lines.some((l) => l.includes(`hard link to ${LONG_PATH}`)));
    assert.ok(lines.some((l) => l.startsWith('drwxrwxrwt') && l.endsWith(' empty/')));

    const dest = nodePath.join(tmp, 'x');
    fs.mkdirSync(dest);
    const extract = spawnSync('tar', ['-xpf', archivePath, '-C', dest], { encoding: 'utf8' });
    assert.equal(extract.status, 0, extract.stderr);
    assert.equal(extract.stderr, '');

    const tree = new Map<string, fs.Stats & { target?: Buffer; data?: Buffer }>();
    walk(Buffer.from(dest), null, tree);
    tree.delete(Buffer.from('.').toString('hex'));
    assert.deepEqual([...tree.keys()].sort(), items.map((i) => i.header.path.toString('hex')).sort());
    for (const { header, data } of items) {
      const st = tree.get(header.path.toString('hex'))!;
      const what = header.path.toString();
      if (header.type === 'hardlink') {
        assert.equal(st.ino, tree.get(header.linkTarget!.toString('hex'))!.ino, what);
        continue;
      }
      assert.equal(st.mode & 0o7777, header.mode, `mode of ${what}`);
      if (header.type !== 'dir') {
        // Directory mtimes are disturbed by creating their children; GNU tar restores them, but
        // only to the second on some filesystems, so compare whole seconds everywhere but files.
        assert.equal(Math.floor(st.mtimeMs / 1000), Math.floor(header.mtimeMs / 1000), `mtime of ${what}`);
      }
      if (header.type === 'file') assert.ok(st.data!.equals(data!), `content of ${what}`);
      if (header.type === 'symlink') assert.deepEqual(st.target, header.linkTarget, `target of ${what}`);
      if (header.type === 'fifo') assert.ok(st.isFIFO());
      if (header.type === 'dir') assert.ok(st.isDirectory());
    }
    const fractional = tree.get(Buffer.from('fractional').toString('hex'))!;
    assert.ok(Math.abs(fractional.mtimeMs - 1_600_000_000_123.5) < 0.001, 'sub-second mtime restored');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
