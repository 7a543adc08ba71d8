// Codec for a single 512-byte tar header block (v7, POSIX ustar and old GNU layouts).
// Extended headers (PAX, GNU long names) are resolved by the reader and writer on top of this.
import { TarFormatError } from './tar-types.ts';

export const BLOCK_SIZE = 512;
export const ZERO_BLOCK: Buffer = Buffer.alloc(BLOCK_SIZE);

/** Largest value of an 11-digit octal field (size, mtime): 8 GiB - 1. */
export const MAX_OCTAL_11 = 0o77777777777;
/** Largest value of a 7-digit octal field (mode, uid, gid, devmajor, devminor). */
export const MAX_OCTAL_7 = 0o7777777;

// [offset, length] of each ustar field.
const FIELDS = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  linkname: [157, 100],
  magic: [257, 8], // magic (6) + version (2), compared together
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const;
const TYPEFLAG_OFFSET = 156;

type NumericField = 'mode' | 'uid' | 'gid' | 'size' | 'mtime' | 'devmajor' | 'devminor';
type BytesField = 'name' | 'linkname' | 'uname' | 'gname' | 'prefix';

const POSIX_MAGIC = Buffer.from('ustar\x0000', 'latin1');
const GNU_MAGIC = Buffer.from('ustar  \x00', 'latin1');
const SLASH = Buffer.from('/');

/** 'ustar' = POSIX (has prefix field), 'gnu' = old GNU (prefix area holds other data), 'v7' = no magic. */
export type HeaderFormat = 'ustar' | 'gnu' | 'v7';

/** Header block fields, decoded but not yet combined with extended headers. */
export interface RawHeader {
  format: HeaderFormat;
  /** Name bytes (ustar prefix already joined with '/'). */
  name: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since epoch; may be negative. */
  mtime: number;
  /** Single character; '\0' for old-style regular files. */
  typeflag: string;
  linkname: Buffer;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

/** Everything needed to encode a POSIX ustar header block. Over-long byte fields are truncated. */
export interface UstarFields {
  name: Buffer;
  prefix: Buffer;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: Buffer;
  uname: Buffer;
  gname: Buffer;
  devmajor: number;
  devminor: number;
}

export function isZeroBlock(block: Buffer): boolean {
  return block.equals(ZERO_BLOCK);
}

/** Bytes of zero padding after `size` bytes of entry data. */
export function paddingFor(size: number): number {
  const rest = size % BLOCK_SIZE;
  return rest === 0 ? 0 : BLOCK_SIZE - rest;
}

/** Decodes and validates one header block. `offset` (its position in the stream) is used in error messages. */
export function decodeHeaderBlock(block: Buffer, offset: number): RawHeader {
  if (block.length !== BLOCK_SIZE) {
    throw new TarFormatError(`truncated archive: header at offset ${offset} has ${block.length} of ${BLOCK_SIZE} bytes`);
  }
  verifyChecksum(block, offset);

  const magic = fieldBytes(block, 'magic');
  const format: HeaderFormat = magic.subarray(0, 6).equals(POSIX_MAGIC.subarray(0, 6))
    ? 'ustar'
    : magic.equals(GNU_MAGIC)
      ? 'gnu'
      : 'v7';

  let name = cString(block, 'name');
  if (format === 'ustar') {
    const prefix = cString(block, 'prefix');
    if (prefix.length > 0) name = Buffer.concat([prefix, SLASH, name]);
  }
  const hasUstarFields = format !== 'v7';
  return {
    format,
    name,
    mode: readNumeric(block, 'mode', offset, false),
    uid: readNumeric(block, 'uid', offset, false),
    gid: readNumeric(block, 'gid', offset, false),
    size: readNumeric(block, 'size', offset, false),
    mtime: readNumeric(block, 'mtime', offset, true),
    typeflag: String.fromCharCode(block[TYPEFLAG_OFFSET]!),
    linkname: cString(block, 'linkname'),
    uname: hasUstarFields ? cString(block, 'uname').toString('utf8') : '',
    gname: hasUstarFields ? cString(block, 'gname').toString('utf8') : '',
    devmajor: hasUstarFields ? readNumeric(block, 'devmajor', offset, false) : 0,
    devminor: hasUstarFields ? readNumeric(block, 'devminor', offset, false) : 0,
  };
}

/** Encodes a POSIX ustar header block. Numbers beyond octal range are written in base-256. */
export function encodeHeaderBlock(f: UstarFields): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  putBytes(block, 'name', f.name);
  putNumeric(block, 'mode', f.mode);
  putNumeric(block, 'uid', f.uid);
  putNumeric(block, 'gid', f.gid);
  putNumeric(block, 'size', f.size);
  putNumeric(block, 'mtime', f.mtime);
  block[TYPEFLAG_OFFSET] = f.typeflag.charCodeAt(0);
  putBytes(block, 'linkname', f.linkname);
  POSIX_MAGIC.copy(block, FIELDS.magic[0]);
  putBytes(block, 'uname', f.uname);
  putBytes(block, 'gname', f.gname);
  putNumeric(block, 'devmajor', f.devmajor);
  putNumeric(block, 'devminor', f.devminor);
  putBytes(block, 'prefix', f.prefix);
  // Conventional layout: six octal digits, NUL, space.
  const sum = checksums(block).unsigned;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, FIELDS.chksum[0], 'latin1');
  return block;
}

/** Sums with the checksum field counted as spaces; some old writers summed signed bytes. */
export function checksums(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  const [start, len] = FIELDS.chksum;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const c = i >= start && i < start + len ? 0x20 : block[i]!;
    unsigned += c;
    signed += c < 0x80 ? c : c - 0x100;
  }
  return { unsigned, signed };
}

function verifyChecksum(block: Buffer, offset: number): void {
  const stored = parseOctal(fieldBytes(block, 'chksum'));
  if (stored === null) {
    throw new TarFormatError(`bad header checksum at offset ${offset}: checksum field is not an octal number`);
  }
  const { unsigned, signed } = checksums(block);
  if (stored !== unsigned && stored !== signed) {
    throw new TarFormatError(`bad header checksum at offset ${offset} (stored ${stored}, computed ${unsigned})`);
  }
}

function fieldBytes(block: Buffer, field: keyof typeof FIELDS): Buffer {
  const [start, len] = FIELDS[field];
  return block.subarray(start, start + len);
}

/** Bytes up to the first NUL, copied so the result does not pin the (possibly large) source chunk. */
function cString(block: Buffer, field: BytesField): Buffer {
  const bytes = fieldBytes(block, field);
  const nul = bytes.indexOf(0);
  return Buffer.from(nul === -1 ? bytes : bytes.subarray(0, nul));
}

function readNumeric(block: Buffer, field: NumericField, offset: number, allowNegative: boolean): number {
  const bytes = fieldBytes(block, field);
  let value: number | null;
  if ((bytes[0]! & 0x80) !== 0) {
    value = parseBase256(bytes);
    if (value === null) {
      throw new TarFormatError(`numeric field '${field}' out of range in header at offset ${offset}`);
    }
  } else {
    value = parseOctal(bytes);
    if (value === null) {
      throw new TarFormatError(`invalid numeric field '${field}' in header at offset ${offset}`);
    }
  }
  if (value < 0 && !allowNegative) {
    throw new TarFormatError(`negative numeric field '${field}' in header at offset ${offset}`);
  }
  return value;
}

/** Octal digits, optionally surrounded by spaces/NULs (writers disagree on padding). Null if invalid. */
function parseOctal(bytes: Buffer): number | null {
  let start = 0;
  let end = bytes.length;
  while (start < end && (bytes[start] === 0x20 || bytes[start] === 0)) start++;
  while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 7) return null;
    value = value * 8 + digit; // at most 12 digits: always exact in a double
  }
  return value;
}

/** GNU base-256: high bit set, remaining bits are a big-endian two's complement number. Null if unsafe. */
function parseBase256(bytes: Buffer): number | null {
  let value = BigInt(bytes[0]! & 0x7f);
  for (let i = 1; i < bytes.length; i++) value = (value << 8n) | BigInt(bytes[i]!);
  if ((bytes[0]! & 0x40) !== 0) value -= 1n << BigInt(bytes.length * 8 - 1);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return null;
  return Number(value);
}

function putBytes(block: Buffer, field: BytesField, value: Buffer): void {
  const [start, len] = FIELDS[field];
  value.copy(block, start, 0, Math.min(value.length, len));
}

function putNumeric(block: Buffer, field: NumericField, value: number): void {
  const [start, len] = FIELDS[field];
  const digits = len - 1;
  const octal = value >= 0 ? value.toString(8) : '';
  if (Number.isSafeInteger(value) && value >= 0 && octal.length <= digits) {
    block.write(`${octal.padStart(digits, '0')}\0`, start, 'latin1');
    return;
  }
  if (!Number.isSafeInteger(value)) throw new RangeError(`tar field '${field}' must be a safe integer, got ${value}`);
  let v = BigInt(value);
  if (v < 0n) v += 1n << BigInt(len * 8);
  for (let i = len - 1; i >= 0; i--) {
    block[start + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[start] = block[start]! | 0x80;
}
