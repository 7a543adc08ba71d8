/**
 * The decoding a restore hands to the engine threads (engine-thread.ts):
 * opens sealed ranges of packs and decodes blobs (decompress, check the id),
 * the CPU-heavy half of reading a version.
 */
import { openSealedRange } from '../crypto/object-cipher.ts';
import { isDvomError } from '../errors.ts';
import { decodeBlob } from './blob-decode.ts';
import { blobIdKeyFrom } from './blob-id.ts';
import { movableSole, reclaimAfter, release } from '../memory.ts';

export type DecodeJob =
  | {
      op: 'open';
      encKey: Uint8Array;
      objectPath: string;
      payloadLength: number;
      header: Uint8Array;
      sealed: Uint8Array;
      offset: number;
      length: number;
    }
  | { op: 'blob'; id: string; what: string; payload: Uint8Array; rawLength: number; compressed: boolean; idKey: Uint8Array | undefined };

export type DecodeReply = { data: Uint8Array } | { error: { integrity: boolean; message: string } };

const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * The job's input was moved here and is this thread's alone: once opened or
 * decompressed it is freed at once, as is anything made on the way, so this
 * thread, which decodes for a whole restore, seldom needs a collection.
 */
function handle(req: DecodeJob): Buffer {
  if (req.op === 'open') {
    const sealed = buf(req.sealed);
    const plain = openSealedRange(buf(req.encKey), req.objectPath, req.payloadLength, buf(req.header), sealed, req.offset, req.length);
    release(sealed);
    return plain;
  }
  const payload = buf(req.payload);
  const plain = decodeBlob(req.id, req.what, payload, req.rawLength, req.compressed, blobIdKeyFrom(req.idKey));
  if (req.compressed) release(payload); // decompressed: the stored bytes are done with
  return plain;
}

/** Runs one decoding job; the reply's bytes are moved back, not copied. */
export function decodeJob(req: DecodeJob): { reply: DecodeReply; transfer: ArrayBuffer[] } {
  try {
    // Whatever handle() returns is cut from memory made or moved here for it alone.
    const out = handle(req);
    const data = movableSole(out);
    if (data !== out) reclaimAfter(out.buffer.byteLength); // a small one, copied: what it was cut from is left to the collector
    return { reply: { data }, transfer: [data.buffer as ArrayBuffer] };
  } catch (err) {
    const message = (err as Error).message;
    return { reply: { error: { integrity: isDvomError(err, 'INTEGRITY'), message } }, transfer: [] };
  }
}
