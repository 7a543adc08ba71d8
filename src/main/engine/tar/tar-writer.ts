// Streaming tar writer producing POSIX ustar, with a PAX 'x' header only for what ustar cannot hold.
import type { Writable } from 'node:stream';
import type { TarHeader } from './tar-types.ts';
import { encodeHeaderBlock, MAX_OCTAL_11, MAX_OCTAL_7, paddingFor, ZERO_BLOCK } from './tar-header.ts';
import { encodePaxRecords, formatPaxTime } from './tar-pax.ts';

const SLASH = 0x2f;
const EMPTY: Buffer = Buffer.alloc(0);
const END_OF_ARCHIVE = Buffer.alloc(2 * ZERO_BLOCK.length);

const TYPEFLAGS = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
} as const satisfies Record<TarHeader['type'], string>;

export class TarWriter {
  readonly #out: Writable;
  #busy = false;
  #finished = false;
  /** Set once a partial entry may have been written: the archive can no longer be valid. */
  #failure: unknown;

  constructor(out: Writable) {
    this.#out = out;
  }

  /**
   * Appends one entry. Files need a body yielding exactly header.size bytes (it may be omitted
   * for empty files); other types take no body. Calls must not overlap.
   */
  async add(header: TarHeader, body?: AsyncIterable<Buffer | Uint8Array>): Promise<void> {
    this.#enter();
    try {
      if (header.type !== 'file' && body !== undefined) throw new TypeError(`a ${header.type} entry cannot have a body`);
      if (header.type === 'file' && body === undefined && header.size !== 0) {
        throw new TypeError('a body is required for a non-empty file entry');
      }
      const head = encodeEntryHeader(header); // validates before anything is written
      try {
        await this.#write(head);
        if (body !== undefined) await this.#writeBody(header, body);
        if (header.type === 'file') await this.#write(ZERO_BLOCK.subarray(0, paddingFor(header.size)));
      } catch (err) {
        this.#failure = err;
        throw err;
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Writes the end-of-archive marker and ends the output stream (resolves once it has finished). */
  async finish(): Promise<void> {
    this.#enter();
    try {
      await this.#write(END_OF_ARCHIVE);
      this.#finished = true;
      await new Promise<void>((resolve, reject) => {
        this.#out.end((err?: Error | null) => (err ? reject(err) : resolve()));
      });
    } catch (err) {
      this.#failure = err;
      throw err;
    } finally {
      this.#busy = false;
    }
  }

  #enter(): void {
    if (this.#failure !== undefined) throw new Error('tar writer failed earlier; the archive is incomplete', { cause: this.#failure });
    if (this.#finished) throw new Error('tar writer is already finished');
    if (this.#busy) throw new Error('TarWriter.add/finish called while a previous call is still running');
    this.#busy = true;
  }

  async #writeBody(header: TarHeader, body: AsyncIterable<Buffer | Uint8Array>): Promise<void> {
    let written = 0;
    for await (const chunk of body) {
      written += chunk.length;
      if (written > header.size) {
        throw new Error(`body of ${JSON.stringify(header.path.toString())} is longer than its size ${header.size}`);
      }
      if (chunk.length > 0) await this.#write(chunk);
    }
    if (written !== header.size) {
      throw new Error(`body of ${JSON.stringify(header.path.toString())} has ${written} bytes, header says ${header.size}`);
    }
  }

  async #write(chunk: Uint8Array): Promise<void> {
    const out = this.#out;
    if (out.errored) throw out.errored;
    if (out.destroyed || out.writableEnded) throw new Error('tar output stream is closed');
    if (chunk.length === 0) return;
    if (!out.write(chunk)) await waitForDrain(out);
  }
}

function waitForDrain(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(out.errored ?? new Error('tar output stream closed while writing'));
    };
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}

/** Header block(s) for one entry: an optional PAX header (+ data) followed by the ustar block. */
export function encodeEntryHeader(h: TarHeader): Buffer {
  validate(h);
  const records: Array<[string, Buffer]> = [];

  const fullName = h.type === 'dir' && h.path[h.path.length - 1] !== SLASH ? Buffer.concat([h.path, Buffer.from('/')]) : h.path;
  let name: Buffer;
  let prefix = EMPTY;
  const split = isAscii(fullName) ? splitUstarName(fullName) : undefined;
  if (split) {
    ({ name, prefix } = split);
  } else {
    records.push(['path', fullName]);
    name = asciiFallback(fullName, 100);
  }

  let linkname = EMPTY;
  if ((h.type === 'symlink' || h.type === 'hardlink') && h.linkTarget) {
    if (h.linkTarget.length <= 100 && isAscii(h.linkTarget)) {
      linkname = h.linkTarget;
    } else {
      records.push(['linkpath', h.linkTarget]);
      linkname = asciiFallback(h.linkTarget, 100);
    }
  }

  const size = h.type === 'file' ? h.size : 0;
  if (size > MAX_OCTAL_11) records.push(['size', Buffer.from(String(size))]);
  if (h.uid > MAX_OCTAL_7) records.push(['uid', Buffer.from(String(h.uid))]);
  if (h.gid > MAX_OCTAL_7) records.push(['gid', Buffer.from(String(h.gid))]);
  const seconds = Math.floor(h.mtimeMs / 1000);
  if (seconds * 1000 !== h.mtimeMs || seconds < 0 || seconds > MAX_OCTAL_11) {
    records.push(['mtime', Buffer.from(formatPaxTime(h.mtimeMs))]);
  }
  const uname = userName(h.uname, 'uname', records);
  const gname = userName(h.gname, 'gname', records);

  // Out-of-range numbers also go into the ustar block as base-256, for readers that skip PAX.
  const block = encodeHeaderBlock({
    name,
    prefix,
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    size,
    mtime: seconds,
    typeflag: TYPEFLAGS[h.type],
    linkname,
    uname,
    gname,
    devmajor: h.devMajor ?? 0,
    devminor: h.devMinor ?? 0,
  });
  if (records.length === 0) return block;

  const pax = encodePaxRecords(records);
  const paxBlock = encodeHeaderBlock({
    name: paxHeaderName(fullName),
    prefix: EMPTY,
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: pax.length,
    mtime: Math.min(Math.max(seconds, 0), MAX_OCTAL_11),
    typeflag: 'x',
    linkname: EMPTY,
    uname: EMPTY,
    gname: EMPTY,
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxBlock, pax, ZERO_BLOCK.subarray(0, paddingFor(pax.length)), block]);
}

function validate(h: TarHeader): void {
  if (!(TYPEFLAGS as Record<string, string>)[h.type]) throw new TypeError(`unknown tar entry type ${JSON.stringify(h.type)}`);
  if (h.path.length === 0) throw new TypeError('tar entry path is empty');
  if (h.path.includes(0)) throw new TypeError('tar entry path contains a NUL byte');
  const nonNegative = (what: string, n: number): void => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`tar entry ${what} must be a non-negative integer, got ${n}`);
  };
  nonNegative('mode', h.mode);
  nonNegative('uid', h.uid);
  nonNegative('gid', h.gid);
  nonNegative('size', h.size);
  if (h.type !== 'file' && h.size !== 0) throw new RangeError(`a ${h.type} entry must have size 0, got ${h.size}`);
  if (!Number.isFinite(h.mtimeMs) || !Number.isSafeInteger(Math.floor(h.mtimeMs / 1000))) {
    throw new RangeError(`tar entry mtimeMs is out of range: ${h.mtimeMs}`);
  }
  if (h.type === 'symlink' || h.type === 'hardlink') {
    if (!h.linkTarget || h.linkTarget.length === 0) throw new TypeError(`a ${h.type} entry needs a linkTarget`);
    if (h.linkTarget.includes(0)) throw new TypeError('tar link target contains a NUL byte');
  }
  if (h.devMajor !== undefined) nonNegative('devMajor', h.devMajor);
  if (h.devMinor !== undefined) nonNegative('devMinor', h.devMinor);
}

/** Splits a long ASCII name into ustar prefix (<= 155) and name (<= 100) at a '/', if possible. */
function splitUstarName(path: Buffer): { name: Buffer; prefix: Buffer } | undefined {
  if (path.length <= 100) return { name: path, prefix: EMPTY };
  // The name part must be non-empty, so a trailing '/' is never the split point.
  for (let i = Math.max(0, path.length - 101); i <= Math.min(155, path.length - 2); i++) {
    if (path[i] === SLASH) return { prefix: path.subarray(0, i), name: path.subarray(i + 1) };
  }
  return undefined;
}

function userName(value: string | undefined, key: string, records: Array<[string, Buffer]>): Buffer {
  const bytes = Buffer.from(value ?? '', 'utf8');
  if (bytes.length <= 32 && isAscii(bytes)) return bytes;
  records.push([key, bytes]);
  return EMPTY;
}

function isAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/** Best-effort ustar field for readers that ignore PAX: ASCII, truncated. */
function asciiFallback(bytes: Buffer, max: number): Buffer {
  const out = Buffer.from(bytes.subarray(0, max));
  for (let i = 0; i < out.length; i++) if (out[i]! >= 0x80) out[i] = 0x5f; // '_'
  return out;
}

function paxHeaderName(fullName: Buffer): Buffer {
  let end = fullName.length;
  while (end > 1 && fullName[end - 1] === SLASH) end--;
  const base = fullName.subarray(fullName.lastIndexOf(SLASH, end - 1) + 1, end);
  return Buffer.concat([Buffer.from('PaxHeaders/'), asciiFallback(base.subarray(Math.max(0, base.length - 89)), 89)]);
}
