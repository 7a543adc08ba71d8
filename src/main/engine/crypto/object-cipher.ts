import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { integrityError } from '../errors.ts';
import { release } from '../memory.ts';
import {
  ENC_HEADER_SIZE,
  ENC_MAGIC,
  FORMAT_VERSION,
  RAW_HEADER_SIZE,
  RAW_MAGIC,
  SALT_SIZE,
  SEALED_SEGMENT_SIZE,
  SEGMENT_SIZE,
  TAG_SIZE,
  detectObjectKind,
} from './object-format.ts';

/**
 * Streaming authenticated encryption of one stored object (the STREAM
 * construction, as in age):
 *
 * - The object key is HKDF(encKey, salt, "dvom object v1" || objectPath). The
 *   store never writes the same path twice (puts are create-only), so no two
 *   objects share a key; the random salt is a second, independent guard.
 *   Binding the path also means an object moved or swapped to another name
 *   fails authentication.
 * - Each segment's nonce is its index (64-bit counter) plus a flag byte that is
 *   1 only on the final segment, so within a key nonces never repeat, and
 *   reordering, dropping or truncating segments is detected.
 * - The header is authenticated as associated data of every segment.
 */
const NONCE_SIZE = 12;

/** A KeyObject, so the many segments of one object do not each import the raw key again. */
function objectKey(encKey: Buffer, salt: Buffer, objectPath: string): KeyObject {
  const info = Buffer.concat([Buffer.from('dvom object v1\0'), Buffer.from(objectPath, 'utf8')]);
  return createSecretKey(Buffer.from(hkdfSync('sha256', encKey, salt, info, 32)));
}

function segmentNonce(index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(NONCE_SIZE);
  nonce.writeBigUInt64BE(BigInt(index), 3);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/** A sealed segment as two parts, ciphertext then tag, written back to back (no copy to join them). */
function seal(key: KeyObject, header: Buffer, index: number, last: boolean, plain: Buffer): [Buffer, Buffer] {
  const cipher = createCipheriv('aes-256-gcm', key, segmentNonce(index, last));
  cipher.setAAD(header);
  const body = cipher.update(plain);
  cipher.final();
  return [body, cipher.getAuthTag()];
}

function open(key: KeyObject, header: Buffer, index: number, last: boolean, sealed: Buffer, what: string): Buffer {
  if (sealed.length < TAG_SIZE) throw integrityError(`${what}: truncated (segment ${index} is incomplete)`);
  const decipher = createDecipheriv('aes-256-gcm', key, segmentNonce(index, last));
  decipher.setAAD(header);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG_SIZE));
  try {
    decipher.final();
  } catch {
    throw integrityError(
      `${what}: authentication failed at segment ${index} (the object was modified, truncated, reordered or moved)`,
    );
  }
  return body;
}

/** Incrementally frames a payload; feed with update(), close with final(). */
export interface ObjectEncoder {
  update(data: Buffer): Buffer[];
  final(): Buffer[];
  /** Whether update() may keep (or pass on) `data` itself, rather than only what it made from it. */
  readonly keepsInput: boolean;
}

/** Incrementally unframes a stored object; throws IntegrityError on any tampering. */
export interface ObjectDecoder {
  update(data: Buffer): Buffer[];
  final(): Buffer[];
}

export class EncryptingEncoder implements ObjectEncoder {
  private readonly key: KeyObject;
  private readonly header: Buffer;
  private headerSent = false;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private index = 0;

  constructor(encKey: Buffer, objectPath: string) {
    const salt = randomBytes(SALT_SIZE);
    this.header = Buffer.concat([ENC_MAGIC, Buffer.from([FORMAT_VERSION]), salt]);
    this.key = objectKey(encKey, salt, objectPath);
  }

  readonly keepsInput = false;

  /** Never keeps `data`: the segment it leaves unfinished is copied (callers may free or reuse it). */
  update(data: Buffer): Buffer[] {
    const out: Buffer[] = this.takeHeader();
    let pos = 0;
    // Always keep at least one byte back: the final segment must be sealed with the "last" flag.
    if (this.pendingLength > 0 && this.pendingLength + data.length > SEGMENT_SIZE) {
      // Complete the segment earlier updates began, copying only that segment.
      pos = SEGMENT_SIZE - this.pendingLength;
      out.push(...this.sealPending(false, data.subarray(0, pos)));
    }
    if (this.pendingLength === 0) {
      for (; data.length - pos > SEGMENT_SIZE; pos += SEGMENT_SIZE) {
        out.push(...seal(this.key, this.header, this.index++, false, data.subarray(pos, pos + SEGMENT_SIZE)));
      }
    }
    if (pos < data.length) {
      this.pending.push(Buffer.from(data.subarray(pos)));
      this.pendingLength += data.length - pos;
    }
    return out;
  }

  final(): Buffer[] {
    const out = this.takeHeader();
    out.push(...this.sealPending(true));
    return out;
  }

  /** Seals the pending bytes (and `more`, the caller's); the copies made for it are freed at once. */
  private sealPending(last: boolean, more?: Buffer): Buffer[] {
    const plain = Buffer.concat(more ? [...this.pending, more] : this.pending, this.pendingLength + (more?.length ?? 0));
    const sealed = seal(this.key, this.header, this.index++, last, plain);
    for (const copy of this.pending) release(copy);
    release(plain);
    this.pending = [];
    this.pendingLength = 0;
    return sealed;
  }

  private takeHeader(): Buffer[] {
    if (this.headerSent) return [];
    this.headerSent = true;
    return [Buffer.from(this.header)]; // a copy: every output part is the caller's to free, while this one stays in use
  }
}

export class DecryptingDecoder implements ObjectDecoder {
  private readonly encKey: Buffer;
  private readonly objectPath: string;
  private readonly what: string;
  private key: KeyObject | undefined;
  private header: Buffer | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private index = 0;

  constructor(encKey: Buffer, objectPath: string) {
    this.encKey = encKey;
    this.objectPath = objectPath;
    this.what = `object ${objectPath}`;
  }

  update(data: Buffer): Buffer[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, data]) : data;
    if (!this.header) {
      if (this.buffered.length < ENC_HEADER_SIZE) return [];
      this.readHeader(this.buffered.subarray(0, ENC_HEADER_SIZE));
      this.buffered = this.buffered.subarray(ENC_HEADER_SIZE);
    }
    const out: Buffer[] = [];
    // A full sealed segment followed by more data cannot be the last one.
    while (this.buffered.length > SEALED_SEGMENT_SIZE) {
      out.push(this.openSegment(this.buffered.subarray(0, SEALED_SEGMENT_SIZE), false));
      this.buffered = this.buffered.subarray(SEALED_SEGMENT_SIZE);
    }
    return out;
  }

  final(): Buffer[] {
    if (!this.header) throw headerError(this.what, this.buffered);
    const out = [this.openSegment(this.buffered, true)];
    this.buffered = Buffer.alloc(0);
    return out;
  }

  private readHeader(head: Buffer): void {
    checkEncryptedHeader(head, this.what);
    this.header = Buffer.from(head);
    this.key = objectKey(this.encKey, head.subarray(ENC_MAGIC.length + 1), this.objectPath);
  }

  private openSegment(sealed: Buffer, last: boolean): Buffer {
    return open(this.key!, this.header!, this.index++, last, sealed, this.what);
  }
}

function headerError(what: string, head: Buffer): Error {
  const kind = detectObjectKind(head);
  if (kind === 'plain') return integrityError(`${what}: backup is marked as encrypted but the object is not encrypted`);
  return integrityError(`${what}: marked as encrypted but no encryption header found`);
}

function checkEncryptedHeader(head: Buffer, what: string): void {
  if (detectObjectKind(head) !== 'encrypted') throw headerError(what, head);
  const version = head[ENC_MAGIC.length];
  if (version !== FORMAT_VERSION) throw integrityError(`${what}: unsupported encryption format version ${version}`);
}

export class PlainEncoder implements ObjectEncoder {
  readonly keepsInput = true;
  private headerSent = false;
  update(data: Buffer): Buffer[] {
    if (this.headerSent) return [data];
    this.headerSent = true;
    return [Buffer.concat([RAW_MAGIC, Buffer.from([FORMAT_VERSION])]), data];
  }
  final(): Buffer[] {
    return this.update(Buffer.alloc(0));
  }
}

export class PlainDecoder implements ObjectDecoder {
  private head: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private readonly what: string;
  constructor(objectPath: string) {
    this.what = `object ${objectPath}`;
  }
  update(data: Buffer): Buffer[] {
    if (this.headerDone) return [data];
    this.head = Buffer.concat([this.head, data]);
    if (this.head.length < RAW_HEADER_SIZE) return [];
    checkPlainHeader(this.head, this.what);
    this.headerDone = true;
    return [this.head.subarray(RAW_HEADER_SIZE)];
  }
  final(): Buffer[] {
    if (!this.headerDone) checkPlainHeader(this.head, this.what);
    return [];
  }
}

function checkPlainHeader(head: Buffer, what: string): void {
  const kind = detectObjectKind(head);
  if (kind === 'encrypted') throw integrityError(`${what}: backup is marked as not encrypted but the object is encrypted`);
  if (kind !== 'plain' || head.length < RAW_HEADER_SIZE) throw integrityError(`${what}: not a DVOM object (bad header)`);
  if (head[RAW_MAGIC.length] !== FORMAT_VERSION) {
    throw integrityError(`${what}: unsupported object format version ${head[RAW_MAGIC.length]}`);
  }
}

/** Decodes a whole object held in memory (small objects: index, key files...). */
export function decodeAll(decoder: ObjectDecoder, data: Buffer): Buffer {
  return Buffer.concat([...decoder.update(data), ...decoder.final()]);
}

export function encodeAll(encoder: ObjectEncoder, data: Buffer): Buffer {
  return Buffer.concat([...encoder.update(data), ...encoder.final()]);
}

/**
 * Random access into a stored object: which stored byte range holds payload
 * bytes [offset, offset+length), and how to open just that range.
 */
export interface RangeReader {
  (start: number, length: number): Promise<Buffer>;
}

/**
 * Headers of recently read objects, so reading many blobs of one pack costs
 * one request each; kept while still being read, so reads of one object in
 * flight at once share that request too.
 */
export interface HeaderCache {
  get(objectPath: string): Promise<Buffer> | undefined;
  set(objectPath: string, header: Promise<Buffer>): void;
  delete(objectPath: string): void;
}

/** Where the sealed segments holding payload bytes [offset, offset+length) of an object lie. */
export function sealedRange(payloadLength: number, offset: number, length: number): { start: number; length: number } {
  const first = Math.floor(offset / SEGMENT_SIZE);
  const last = length === 0 ? first : Math.floor((offset + length - 1) / SEGMENT_SIZE);
  const lastPlain = Math.min(payloadLength, (last + 1) * SEGMENT_SIZE) - last * SEGMENT_SIZE;
  return { start: ENC_HEADER_SIZE + first * SEALED_SEGMENT_SIZE, length: (last - first) * SEALED_SEGMENT_SIZE + lastPlain + TAG_SIZE };
}

function checkRange(what: string, payloadLength: number, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > payloadLength) {
    throw integrityError(`${what}: range ${offset}+${length} is outside the object (${payloadLength} bytes)`);
  }
}

/**
 * Opens payload bytes [offset, offset+length) of an encrypted object from its
 * header and the sealed bytes at sealedRange(): pure computation, so it runs
 * on a worker thread as well as here.
 */
export function openSealedRange(
  encKey: Buffer,
  objectPath: string,
  payloadLength: number,
  header: Buffer,
  sealed: Buffer,
  offset: number,
  length: number,
): Buffer {
  const what = `object ${objectPath}`;
  checkRange(what, payloadLength, offset, length);
  if (length === 0) return Buffer.alloc(0);
  if (header.length < ENC_HEADER_SIZE) throw headerError(what, header);
  checkEncryptedHeader(header, what);
  const range = sealedRange(payloadLength, offset, length);
  if (sealed.length !== range.length) throw integrityError(`${what}: truncated (expected ${range.length} bytes at ${range.start})`);
  const key = objectKey(encKey, header.subarray(ENC_MAGIC.length + 1), objectPath);
  const lastSegment = Math.max(0, Math.ceil(payloadLength / SEGMENT_SIZE) - 1);
  const first = Math.floor(offset / SEGMENT_SIZE);
  const last = Math.floor((offset + length - 1) / SEGMENT_SIZE);
  const parts: Buffer[] = [];
  for (let i = first, pos = 0; i <= last; i++, pos += SEALED_SEGMENT_SIZE) {
    parts.push(open(key, header, i, i === lastSegment, sealed.subarray(pos, pos + SEALED_SEGMENT_SIZE), what));
  }
  const plain = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (parts.length > 1) for (const part of parts) release(part); // copied into `plain`
  const skip = offset - first * SEGMENT_SIZE;
  return plain.subarray(skip, skip + length);
}

/** The header of an encrypted object, from the cache or the store. */
export async function objectHeader(objectPath: string, read: RangeReader, headerCache?: HeaderCache): Promise<Buffer> {
  const cached = headerCache?.get(objectPath);
  if (cached) return cached;
  const header = readHeader(objectPath, read);
  if (headerCache) {
    headerCache.set(objectPath, header);
    header.catch(() => headerCache.delete(objectPath)); // a failed read is tried again next time
  }
  return header;
}

async function readHeader(objectPath: string, read: RangeReader): Promise<Buffer> {
  const header = await read(0, ENC_HEADER_SIZE);
  if (header.length < ENC_HEADER_SIZE) throw headerError(`object ${objectPath}`, header);
  checkEncryptedHeader(header, `object ${objectPath}`);
  return header;
}

export async function readEncryptedRange(
  encKey: Buffer,
  objectPath: string,
  payloadLength: number,
  read: RangeReader,
  offset: number,
  length: number,
  headerCache?: HeaderCache,
): Promise<Buffer> {
  checkRange(`object ${objectPath}`, payloadLength, offset, length);
  if (length === 0) return Buffer.alloc(0);
  const header = await objectHeader(objectPath, read, headerCache);
  const range = sealedRange(payloadLength, offset, length);
  return openSealedRange(encKey, objectPath, payloadLength, header, await read(range.start, range.length), offset, length);
}

export async function readPlainRange(
  objectPath: string,
  payloadLength: number,
  read: RangeReader,
  offset: number,
  length: number,
): Promise<Buffer> {
  const what = `object ${objectPath}`;
  checkRange(what, payloadLength, offset, length);
  const head = await read(0, RAW_HEADER_SIZE);
  checkPlainHeader(head, what);
  const data = await read(RAW_HEADER_SIZE + offset, length);
  if (data.length !== length) throw integrityError(`${what}: truncated (expected ${length} bytes at ${offset})`);
  return data;
}
