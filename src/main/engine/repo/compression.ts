import { constants, createZstdCompress, createZstdDecompress, zstdCompressSync, zstdDecompressSync, type ZstdCompress, type ZstdDecompress } from 'node:zlib';
import { availableParallelism } from 'node:os';
import { integrityError } from '../errors.ts';
import { release } from '../memory.ts';

/** Below this saving a compressed copy is not worth the CPU on every restore. */
const MIN_SAVING = 0.03;
const SAMPLE = 64 * 1024;
/** Blobs up to this size are compressed on the calling thread. */
const SYNC_MAX = 32 * 1024;
const LEVEL = 3;

/** Room for zstd's worst case, so one call fills one output buffer instead of many 16 KiB hand-offs. */
function outputSize(n: number): number {
  return n + (n >> 7) + 1024;
}

/**
 * At most this many compressions at once: more only queue in libuv's pool,
 * holding their buffers, without finishing sooner.
 */
export const COMPRESSION_SLOTS = Math.max(2, availableParallelism());
let inFlight = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  while (inFlight >= COMPRESSION_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  inFlight++;
  try {
    return await fn();
  } finally {
    inFlight--;
    waiting.shift()?.();
  }
}

/** A quick look at a chunk: random or already-compressed data is stored as is. */
function looksIncompressible(data: Buffer): boolean {
  if (data.length <= SYNC_MAX) return looksRandom(data);
  if (data.length <= SAMPLE * 2) return false;
  const sample = data.subarray(0, SAMPLE);
  const out = zstdCompressSync(sample, { params: { [constants.ZSTD_c_compressionLevel]: 1 }, chunkSize: outputSize(SAMPLE) });
  const incompressible = out.length > SAMPLE * (1 - MIN_SAVING);
  release(out); // only its length was wanted
  return incompressible;
}

/** n·log2(n) for every count a histogram of up to SYNC_MAX bytes can hold. */
const N_LOG_N = new Float64Array(SYNC_MAX + 1).map((_, n) => (n ? n * Math.log2(n) : 0));
const histogram = new Uint32Array(256);

/** Order-0 entropy, in bits per byte, from which zstd could not save MIN_SAVING (no context, no matches). */
const RANDOM_BITS = 7.8;

/**
 * Whether a small blob's bytes are spread so evenly that zstd would not save
 * MIN_SAVING: its own setup costs more than compressing a small blob, and is
 * wasted on random or already-compressed data. Measured on 60,000 real files
 * of 64 B-32 KiB (node_modules, /usr/share, /usr/lib): 26,504 looked random,
 * of which 55 would have compressed, by 0.015 % of all their bytes.
 */
function looksRandom(data: Buffer): boolean {
  histogram.fill(0);
  for (let i = 0; i < data.length; i++) histogram[data[i]!]!++;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += N_LOG_N[histogram[i]!]!;
  const bits = Math.log2(data.length) - sum / data.length;
  // A short sample of random bytes shows fewer distinct values than 256: the usual correction for that bias.
  return bits + 255 / (2 * data.length * Math.LN2) > RANDOM_BITS;
}

/**
 * zstd on libuv's thread pool, so compression runs on the other core while the
 * main thread chunks, hashes and encrypts. Incompressible data is stored as is.
 */
export function maybeCompress(data: Buffer): Promise<Compressed> | Compressed {
  // A small blob compresses in less time than a round trip through the thread pool takes.
  if (data.length <= SYNC_MAX) return compressSync(data);
  if (looksIncompressible(data)) return { payload: data, compressed: false };
  return withSlot(() => onPool(createZstdCompress(compressOptions(data.length)), data)).then((out) => choose(data, out));
}

/**
 * zstd on libuv's pool, through a stream of its own: its output comes in
 * pieces, which zlib's one-call API joins into a copy, leaving its output
 * buffers (as large again) to the collector. Sized for the whole output, the
 * stream's one output buffer holds every piece back to back, so the result
 * is a view of it and the only one (see memory.ts release), with no copy.
 */
function onPool(stream: ZstdCompress | ZstdDecompress, data: Buffer, maxOutput = Infinity): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let length = 0;
    stream.on('data', (piece: Buffer) => {
      pieces.push(piece);
      length += piece.length;
      // A hostile payload may expand without end: stop at once, before it costs memory.
      if (length > maxOutput) stream.destroy(new Error(`output exceeds ${maxOutput} bytes`));
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(joined(pieces)));
    stream.end(data);
  });
}

/** Pieces that lie back to back in one buffer as a view of it; anything else (never seen) as a copy. */
function joined(pieces: Buffer[]): Buffer {
  const first = pieces[0];
  if (!first) return Buffer.alloc(0);
  let end = first.byteOffset;
  for (const piece of pieces) {
    if (piece.buffer !== first.buffer || piece.byteOffset !== end) return Buffer.concat(pieces);
    end += piece.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}

/** On the calling thread: small blobs here, and an engine thread's batches of small files (content-job.ts). */
export function compressSync(data: Buffer): Compressed {
  if (data.length < 64 || looksIncompressible(data)) return { payload: data, compressed: false };
  return choose(data, zstdCompressSync(data, compressOptions(data.length)));
}

function compressOptions(length: number) {
  return {
    params: { [constants.ZSTD_c_compressionLevel]: LEVEL, [constants.ZSTD_c_contentSizeFlag]: 1 },
    pledgedSrcSize: length,
    chunkSize: outputSize(length),
  };
}

export interface Compressed {
  payload: Buffer;
  compressed: boolean;
}


function choose(data: Buffer, out: Buffer): Compressed {
  if (out.length > data.length * (1 - MIN_SAVING)) {
    release(out); // zstd's own output, not worth keeping
    return { payload: data, compressed: false };
  }
  return { payload: out, compressed: true };
}

export async function decompress(payload: Buffer, rawLength: number, what: string): Promise<Buffer> {
  // As with compression: a small blob is done before a thread-pool round trip would be.
  if (rawLength <= SYNC_MAX) return decompressSync(payload, rawLength, what);
  return checked(onPool(createZstdDecompress(decompressOptions(rawLength)), payload, rawLength), rawLength, what);
}

/** On the calling thread (a worker's, or here for small blobs). */
export function decompressSync(payload: Buffer, rawLength: number, what: string): Buffer {
  let out: Buffer;
  try {
    out = zstdDecompressSync(payload, decompressOptions(rawLength));
  } catch (err) {
    throw integrityError(`${what}: cannot decompress (${(err as Error).message})`, err);
  }
  return checkLength(out, rawLength, what);
}

/**
 * Several small blobs' payloads, each a zstd frame of its own, decompressed by
 * one decoder: zstd decodes concatenated frames one after another, into one
 * output holding every blob's plaintext in order. A decoder costs more to set
 * up than a small blob costs to decode (Node makes one per call): measured on
 * 20,000 blobs of about 5 KiB, 0.41 s one by one, 0.09 s eight at a time.
 * Undefined when that fails or the output is not `rawLength` bytes long (a
 * damaged payload among them): the caller then decodes each on its own.
 */
export function decompressFrames(payloads: Buffer[], rawLength: number): Buffer | undefined {
  const input = Buffer.concat(payloads);
  try {
    const out = zstdDecompressSync(input, decompressOptions(rawLength));
    return out.length === rawLength ? out : undefined;
  } catch {
    return undefined;
  } finally {
    release(input); // made here for this call alone
  }
}

/**
 * One output buffer a byte longer than the blob: Node's zlib, finding its
 * buffer full, allocates another of the same size to look for more output,
 * which would double what every decompression allocates. The result is a view
 * of that buffer's start, and its only view.
 */
function decompressOptions(rawLength: number) {
  return { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(1024, rawLength + 1) };
}

async function checked(result: Promise<Buffer>, rawLength: number, what: string): Promise<Buffer> {
  let out: Buffer;
  try {
    out = await result;
  } catch (err) {
    throw integrityError(`${what}: cannot decompress (${(err as Error).message})`, err);
  }
  return checkLength(out, rawLength, what);
}

function checkLength(out: Buffer, rawLength: number, what: string): Buffer {
  if (out.length !== rawLength) throw integrityError(`${what}: decompressed to ${out.length} bytes, expected ${rawLength}`);
  return out;
}
