// Streaming tar reader: ustar, v7, old GNU, PAX ('x'/'g') and GNU long names ('L'/'K').
// Archives come from untrusted volumes, so every malformation becomes a TarFormatError.
import type { TarEntryType, TarHeader } from './tar-types.ts';
import { TarFormatError } from './tar-types.ts';
import type { RawHeader } from './tar-header.ts';
import { BLOCK_SIZE, decodeHeaderBlock, isZeroBlock, paddingFor } from './tar-header.ts';
import { MAX_EXTENDED_HEADER_SIZE, parsePaxInteger, parsePaxRecords, parsePaxTime } from './tar-pax.ts';
import { ByteSource, type ByteSourceOptions } from './byte-source.ts';

export interface TarEntry {
  header: TarHeader;
  /** Valid only until the next entry is requested; unread data is skipped automatically. */
  body: AsyncIterable<Buffer>;
}

export interface TarReadOptions extends ByteSourceOptions {
  /**
   * Each piece of a body is valid only until the next piece (or entry) is
   * asked for: with ownsChunks its memory is freed then. For consumers that
   * copy (or hash) what they are given and keep nothing.
   */
  lentBodies?: boolean;
}

const ENTRY_TYPES = new Map<string, TarEntryType>([
  ['0', 'file'],
  ['\0', 'file'],
  ['7', 'file'], // contiguous file: an ordinary file everywhere that matters
  ['1', 'hardlink'],
  ['2', 'symlink'],
  ['3', 'char'],
  ['4', 'block'],
  ['5', 'dir'],
  ['6', 'fifo'],
]);

const KNOWN_UNSUPPORTED = new Map<string, string>([
  ['S', 'GNU sparse file'],
  ['V', 'GNU volume header'],
  ['M', 'GNU multi-volume continuation'],
  ['D', 'GNU incremental dump directory'],
  ['N', 'GNU old long name'],
]);

const SLASH = 0x2f;
const DOT = 0x2e;

// Several extended headers may precede one entry; bound their sum too, or memory is unbounded.
const MAX_PENDING_EXTENDED_BYTES = 4 * MAX_EXTENDED_HEADER_SIZE;

/** Metadata from extended headers, applied to the next real entry. */
interface Pending {
  offset: number;
  bytes: number;
  pax: Map<string, Buffer>;
  longName?: Buffer;
  longLink?: Buffer;
}

export async function* readTar(source: AsyncIterable<Buffer | Uint8Array>, options: TarReadOptions = {}): AsyncGenerator<TarEntry> {
  const src = new ByteSource(source, options);
  let pending: Pending | undefined;
  let finished = false;
  try {
    for (;;) {
      const offset = src.offset;
      const block = await src.read(BLOCK_SIZE);
      if (block.length === 0) {
        // EOF on a block boundary without end marker: tolerated, like GNU tar.
        assertNothingPending(pending);
        finished = true;
        return;
      }
      if (block.length < BLOCK_SIZE) {
        throw new TarFormatError(`truncated archive: header at offset ${offset} has ${block.length} of ${BLOCK_SIZE} bytes`);
      }
      if (isZeroBlock(block)) {
        await readSecondZeroBlock(src, offset + BLOCK_SIZE);
        assertNothingPending(pending);
        // Consume trailing record padding so the producer (e.g. an HTTP response) completes normally.
        await src.drain();
        finished = true;
        return;
      }

      const raw = decodeHeaderBlock(block, offset);
      switch (raw.typeflag) {
        case 'x': {
          const data = await readExtendedData(src, raw, offset);
          pending = addPending(pending, raw, offset);
          for (const [key, value] of parsePaxRecords(data, offset)) {
            // An empty value deletes the keyword (POSIX), i.e. falls back to the ustar field.
            if (value.length === 0) pending.pax.delete(key);
            else pending.pax.set(key, value);
          }
          continue;
        }
        case 'g':
          // Global defaults are not needed for Docker archives; skip without buffering.
          await skipExact(src, raw.size + paddingFor(raw.size), `global extended header at offset ${offset}`);
          continue;
        case 'L':
        case 'K': {
          const data = await readExtendedData(src, raw, offset);
          pending = addPending(pending, raw, offset);
          const nul = data.indexOf(0);
          const value = Buffer.from(nul === -1 ? data : data.subarray(0, nul));
          if (raw.typeflag === 'L') pending.longName = value;
          else pending.longLink = value;
          continue;
        }
      }

      const header = buildHeader(raw, pending, offset);
      pending = undefined;
      const body = new BodyState(src, header, offset, options.lentBodies === true);
      yield { header, body };
      body.active = false;
      await skipExact(src, body.remaining + paddingFor(header.size), `body of entry at offset ${offset}`);
    }
  } finally {
    // Consumer stopped early or the archive is bad: release the source (destroys Node streams).
    if (!finished) await src.close();
  }
}

/** Body of one entry: yields slices of the source chunks, no copying. */
class BodyState implements AsyncIterable<Buffer> {
  active = true;
  remaining: number;
  readonly #src: ByteSource;
  readonly #header: TarHeader;
  readonly #offset: number;
  readonly #lend: boolean;

  constructor(src: ByteSource, header: TarHeader, offset: number, lend: boolean) {
    this.#src = src;
    this.#header = header;
    this.#offset = offset;
    this.#lend = lend;
    this.remaining = header.size;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (!this.active) throw new Error('tar entry body read after advancing to the next entry');
      if (this.remaining === 0) return;
      const chunk = await this.#src.readSome(this.remaining, this.#lend);
      if (chunk === null) {
        const got = this.#header.size - this.remaining;
        throw new TarFormatError(
          `truncated archive: body of entry at offset ${this.#offset} ended after ${got} of ${this.#header.size} bytes`,
        );
      }
      this.remaining -= chunk.length;
      yield chunk;
    }
  }
}

function addPending(pending: Pending | undefined, raw: RawHeader, offset: number): Pending {
  const result = pending ?? { offset, bytes: 0, pax: new Map<string, Buffer>() };
  result.bytes += raw.size;
  if (result.bytes > MAX_PENDING_EXTENDED_BYTES) {
    throw new TarFormatError(`too much extended header data for one entry (${result.bytes} bytes) at offset ${offset}`);
  }
  return result;
}

function assertNothingPending(pending: Pending | undefined): void {
  if (pending) {
    throw new TarFormatError(`truncated archive: extended header at offset ${pending.offset} is not followed by an entry`);
  }
}

async function readSecondZeroBlock(src: ByteSource, offset: number): Promise<void> {
  const block = await src.read(BLOCK_SIZE);
  if (block.length === 0) return; // EOF after a single zero block: accepted
  if (block.length < BLOCK_SIZE) {
    throw new TarFormatError(`truncated archive: end-of-archive block at offset ${offset} has ${block.length} of ${BLOCK_SIZE} bytes`);
  }
  if (!isZeroBlock(block)) {
    throw new TarFormatError(`unexpected zero block at offset ${offset - BLOCK_SIZE} followed by more entries`);
  }
}

async function readExtendedData(src: ByteSource, raw: RawHeader, offset: number): Promise<Buffer> {
  if (raw.size > MAX_EXTENDED_HEADER_SIZE) {
    throw new TarFormatError(`extended header at offset ${offset} is too large (${raw.size} bytes)`);
  }
  const data = await src.read(raw.size);
  if (data.length < raw.size) {
    throw new TarFormatError(`truncated archive: extended header at offset ${offset} ended after ${data.length} of ${raw.size} bytes`);
  }
  await skipExact(src, paddingFor(raw.size), `extended header at offset ${offset}`);
  return data;
}

async function skipExact(src: ByteSource, n: number, what: string): Promise<void> {
  const skipped = await src.skip(n);
  if (skipped < n) throw new TarFormatError(`truncated archive: ${what} ends early at offset ${src.offset}`);
}

function buildHeader(raw: RawHeader, pending: Pending | undefined, offset: number): TarHeader {
  let type = ENTRY_TYPES.get(raw.typeflag);
  if (type === undefined) throw new TarFormatError(`unsupported entry type ${describeTypeflag(raw.typeflag)} at offset ${offset}`);
  const pax = pending?.pax ?? new Map<string, Buffer>();
  for (const key of pax.keys()) {
    // PAX-format sparse files look like regular files; reading them as such would corrupt data.
    if (key.startsWith('GNU.sparse.')) throw new TarFormatError(`unsupported GNU sparse file (PAX '${key}') at offset ${offset}`);
  }

  const rawPath = pax.get('path') ?? pending?.longName ?? raw.name;
  // Pre-POSIX archives mark directories only by a trailing slash.
  if (raw.typeflag === '\0' && rawPath[rawPath.length - 1] === SLASH) type = 'dir';
  const path = normalizePath(rawPath);
  if (path.length === 0) throw new TarFormatError(`entry with empty path at offset ${offset}`);
  if (path.includes(0)) throw new TarFormatError(`entry path contains a NUL byte at offset ${offset}`);

  const paxNumber = (key: string, fallback: number): number => {
    const value = pax.get(key);
    return value === undefined ? fallback : parsePaxInteger(key, value, offset);
  };
  const paxMtime = pax.get('mtime');
  const header: TarHeader = {
    path,
    type,
    mode: raw.mode & 0o7777,
    uid: paxNumber('uid', raw.uid),
    gid: paxNumber('gid', raw.gid),
    mtimeMs: paxMtime === undefined ? raw.mtime * 1000 : parsePaxTime('mtime', paxMtime, offset),
    // Like Go's archive/tar, only regular files carry data; other types' size field is ignored.
    size: type === 'file' ? paxNumber('size', raw.size) : 0,
  };
  const uname = pax.get('uname')?.toString('utf8') ?? raw.uname;
  const gname = pax.get('gname')?.toString('utf8') ?? raw.gname;
  if (uname !== '') header.uname = uname;
  if (gname !== '') header.gname = gname;

  if (type === 'symlink' || type === 'hardlink') {
    const target = pax.get('linkpath') ?? pending?.longLink ?? raw.linkname;
    if (target.length === 0) throw new TarFormatError(`${type} without a target at offset ${offset}`);
    if (target.includes(0)) throw new TarFormatError(`link target contains a NUL byte at offset ${offset}`);
    // Hardlink targets name another archive entry, so they get the same normalization as paths.
    header.linkTarget = type === 'hardlink' ? normalizePath(target) : target;
  }
  if (type === 'char' || type === 'block') {
    header.devMajor = raw.devmajor;
    header.devMinor = raw.devminor;
  }
  return header;
}

/** Strips leading './' and trailing '/', keeping the root itself as '.' (or '/'). */
export function normalizePath(p: Buffer): Buffer {
  let end = p.length;
  while (end > 1 && p[end - 1] === SLASH) end--;
  let start = 0;
  while (end - start > 2 && p[start] === DOT && p[start + 1] === SLASH) {
    start += 2;
    while (start < end - 1 && p[start] === SLASH) start++;
  }
  return p.subarray(start, end);
}

function describeTypeflag(flag: string): string {
  const code = flag.charCodeAt(0);
  const shown = code >= 0x21 && code <= 0x7e ? `'${flag}'` : `0x${code.toString(16).padStart(2, '0')}`;
  const known = KNOWN_UNSUPPORTED.get(flag);
  return known ? `${shown} (${known})` : shown;
}
