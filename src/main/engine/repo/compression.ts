import { constants, zstdCompress, zstdDecompress } from 'node:zlib';
import { promisify } from 'node:util';
import { integrityError } from '../errors.ts';

const compressAsync = promisify(zstdCompress);
const decompressAsync = promisify(zstdDecompress);

/** Below this saving a compressed copy is not worth the CPU on every restore. */
const MIN_SAVING = 0.03;

/**
 * zstd on libuv's thread pool, so compression runs on the second core while the
 * main thread chunks, hashes and encrypts. Incompressible data is stored as is.
 */
export async function maybeCompress(data: Buffer): Promise<{ payload: Buffer; compressed: boolean }> {
  if (data.length < 64) return { payload: data, compressed: false };
  const out = await compressAsync(data, { params: { [constants.ZSTD_c_compressionLevel]: 3 } });
  if (out.length > data.length * (1 - MIN_SAVING)) return { payload: data, compressed: false };
  return { payload: out, compressed: true };
}

export async function decompress(payload: Buffer, rawLength: number, what: string): Promise<Buffer> {
  let out: Buffer;
  try {
    out = await decompressAsync(payload, { maxOutputLength: Math.max(rawLength, 1) });
  } catch (err) {
    throw integrityError(`${what}: cannot decompress (${(err as Error).message})`, err);
  }
  if (out.length !== rawLength) throw integrityError(`${what}: decompressed to ${out.length} bytes, expected ${rawLength}`);
  return out;
}
