import { constants, zstdCompress, zstdCompressSync, zstdDecompress, zstdDecompressSync } from 'node:zlib';
import { promisify } from 'node:util';
import { availableParallelism } from 'node:os';
import { integrityError } from '../errors.ts';
import { reclaimAfter, release } from '../memory.ts';

const compressAsync = promisify(zstdCompress);
const decompressAsync = promisify(zstdDecompress);

/** Below this saving a compressed copy is not worth the CPU on every restore. */
const MIN_SAVING = 0.03;
const SAMPLE = 64 * 1024;
const LEVEL = 3;

/** Room for zstd's worst case, so one call fills one output buffer instead of many 16 KiB hand-offs. */
function outputSize(n: number): number {
  return n + (n >> 7) + 1024;
}

/**
 * At most this many compressions at once: more only queue in libuv's pool,
 * holding their buffers, without finishing sooner.
 */
const MAX_IN_FLIGHT = Math.max(2, availableParallelism());
let inFlight = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
  inFlight++;
  try {
    return await fn();
  } finally {
    inFlight--;
    waiting.shift()?.();
  }
}

/** A quick look at the start of a chunk: random or already-compressed data is stored as is. */
function looksIncompressible(data: Buffer): boolean {
  if (data.length <= SAMPLE * 2) return false;
  const sample = data.subarray(0, SAMPLE);
  const out = zstdCompressSync(sample, { params: { [constants.ZSTD_c_compressionLevel]: 1 }, chunkSize: outputSize(SAMPLE) });
  const incompressible = out.length > SAMPLE * (1 - MIN_SAVING);
  release(out); // only its length was wanted
  return incompressible;
}

/**
 * zstd on libuv's thread pool, so compression runs on the other core while the
 * main thread chunks, hashes and encrypts. Incompressible data is stored as is.
 */
export function maybeCompress(data: Buffer): Promise<Compressed> | Compressed {
  if (data.length < 64 || looksIncompressible(data)) return { payload: data, compressed: false };
  const options = {
    params: { [constants.ZSTD_c_compressionLevel]: LEVEL, [constants.ZSTD_c_contentSizeFlag]: 1 },
    pledgedSrcSize: data.length,
    chunkSize: outputSize(data.length),
  };
  // A small blob compresses in less time than a round trip through the thread pool takes.
  if (data.length <= SYNC_MAX) return choose(data, zstdCompressSync(data, options));
  return withSlot(() => compressAsync(data, { ...options, chunkSize: ASYNC_OUTPUT })).then((out) => {
    reclaimAfter(ASYNC_OUTPUT); // the stream's output buffer: the result is a copy of it
    return choose(data, out);
  });
}

/**
 * Output buffer of an asynchronous compression. Whatever its size, the stream
 * hands back a copy and leaves this buffer for the collector: a small one
 * (measured: 256 KiB left per 1 MiB blob instead of 1 MiB, and no slower).
 */
const ASYNC_OUTPUT = 256 * 1024;

export interface Compressed {
  payload: Buffer;
  compressed: boolean;
}

/** Blobs up to this size are compressed on the calling thread. */
const SYNC_MAX = 32 * 1024;

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
  return checked(decompressAsync(payload, decompressOptions(rawLength)), rawLength, what);
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

function decompressOptions(rawLength: number) {
  return { maxOutputLength: Math.max(rawLength, 1), chunkSize: Math.max(1024, rawLength) };
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
