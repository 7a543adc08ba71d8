import type { BlobIndex, BlobType } from './blob-index.ts';
import { MAX_FIELD } from './blob-table.ts';

/**
 * Reads an index file laid out exactly as encodeIndex writes it, straight
 * from its bytes. JSON.parse of the text would first make a string as large
 * as the file and an array and an id string per blob: for an index of
 * 200,000 blobs (18 MB) that is tens of MiB the process keeps once its heap
 * has grown to hold them.
 */

const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

const ascii = (text: string) => Buffer.from(text, 'latin1');
const OPEN = ascii('{"format":1,"packs":[');
const PACK_ID = ascii('{"id":"');
const SIZE = ascii('","size":');
const LENGTH = ascii(',"length":');
const BLOBS = ascii(',"blobs":[');
const BLOB_ID = ascii('["');
const [QUOTE, COMMA, CLOSE_ARRAY, CLOSE_OBJECT, ZERO, NINE] = ['"', ',', ']', '}', '0', '9'].map((c) => c.charCodeAt(0)) as [number, number, number, number, number, number];

class Cursor {
  pos = 0;
  private readonly bytes: Buffer;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  get atEnd(): boolean {
    return this.pos === this.bytes.length;
  }

  literal(text: Buffer): boolean {
    const end = this.pos + text.length;
    if (end > this.bytes.length || this.bytes.compare(text, 0, text.length, this.pos, end) !== 0) return false;
    this.pos = end;
    return true;
  }

  byte(c: number): boolean {
    if (this.bytes[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  /** A whole number as JSON.stringify writes it (no sign, no leading zero) up to `max`; -1 otherwise. */
  count(max: number): number {
    const start = this.pos;
    let n = 0;
    while (this.pos < this.bytes.length) {
      const c = this.bytes[this.pos]!;
      if (c < ZERO || c > NINE) break;
      n = n * 10 + (c - ZERO);
      this.pos++;
      if (n > max) return -1;
    }
    const digits = this.pos - start;
    return digits === 0 || (digits > 1 && this.bytes[start] === ZERO) ? -1 : n;
  }

  /** 64 lowercase hex digits, decoded into `out` (32 bytes) when given. */
  hexId(out: Buffer | undefined): boolean {
    if (this.pos + 64 > this.bytes.length) return false;
    for (let i = 0; i < 32; i++) {
      const hi = HEX_VALUE[this.bytes[this.pos + 2 * i]!]!;
      const lo = HEX_VALUE[this.bytes[this.pos + 2 * i + 1]!]!;
      if (hi < 0 || lo < 0) return false;
      if (out) out[i] = (hi << 4) | lo;
    }
    this.pos += 64;
    return true;
  }

  text(from: number): string {
    return this.bytes.toString('latin1', from, this.pos);
  }
}

/**
 * Adds the index file `bytes` to `index` if it is laid out exactly as
 * encodeIndex writes it and every field is valid; returns false, having added
 * nothing, otherwise (the caller then parses it as any JSON, and reports what
 * is wrong with it).
 */
export function scanIndex(index: BlobIndex, bytes: Buffer, only?: BlobType): boolean {
  return scan(bytes, undefined, only) && scan(bytes, index, only);
}

/** One pass: checks the whole file, and adds its blobs when given an index. */
function scan(bytes: Buffer, index: BlobIndex | undefined, only: BlobType | undefined): boolean {
  const at = new Cursor(bytes);
  const id = index ? Buffer.alloc(32) : undefined;
  if (!at.literal(OPEN)) return false;
  if (!at.byte(CLOSE_ARRAY)) {
    do {
      if (!at.literal(PACK_ID)) return false;
      const idStart = at.pos;
      if (!at.hexId(undefined)) return false;
      const packId = index ? at.text(idStart) : '';
      if (!at.literal(SIZE)) return false;
      const size = at.count(Number.MAX_SAFE_INTEGER);
      if (size < 0 || !at.literal(LENGTH)) return false;
      const length = at.count(Number.MAX_SAFE_INTEGER);
      if (length < 0 || !at.literal(BLOBS)) return false;
      const pack = index?.addPackInfo({ id: packId, size, length }) ?? 0;
      if (!at.byte(CLOSE_ARRAY)) {
        do {
          if (!at.literal(BLOB_ID) || !at.hexId(id) || !at.byte(QUOTE) || !at.byte(COMMA)) return false;
          const type = at.count(1);
          if (type < 0 || !at.byte(COMMA)) return false;
          const offset = at.count(MAX_FIELD);
          if (offset < 0 || !at.byte(COMMA)) return false;
          const blobLength = at.count(MAX_FIELD);
          if (blobLength < 0 || offset + blobLength > length || !at.byte(COMMA)) return false;
          const rawLength = at.count(MAX_FIELD);
          if (rawLength < 0 || !at.byte(COMMA)) return false;
          const compressed = at.count(1);
          if (compressed < 0 || !at.byte(CLOSE_ARRAY)) return false;
          const kind: BlobType = type === 1 ? 'meta' : 'data';
          if (index && (!only || kind === only)) index.addBlob(pack, id!, kind, offset, blobLength, rawLength, compressed === 1);
        } while (at.byte(COMMA));
        if (!at.byte(CLOSE_ARRAY)) return false;
      }
      if (!at.byte(CLOSE_OBJECT)) return false;
    } while (at.byte(COMMA));
    if (!at.byte(CLOSE_ARRAY)) return false;
  }
  return at.byte(CLOSE_OBJECT) && at.atEnd;
}
