/**
 * The CPU work of reading files, on an engine thread (engine-thread.ts).
 *
 * Large files stream here in blocks: content-defined chunking and each
 * chunk's id. The main thread reads the file, hashes it (SHA-256: about as
 * costly as the ids, and the main thread would wait otherwise), deduplicates,
 * packs and stores; compression runs on libuv's pool. Every block of one
 * stream goes to the same thread, in order, so one chunker sees the whole file.
 *
 * Smaller files come in batches, each file whole: everything but packing is
 * done here (hash, chunks, ids, compression), in one trip per batch instead
 * of a chain of calls per file on the main thread.
 */
import { createHash } from 'node:crypto';
import { FastCdcChunker, type ChunkerParams } from '../chunker/fastcdc.ts';
import { blobIdKeyFrom, blobIdOf } from '../repo/blob-id.ts';
import { compressSync } from '../repo/compression.ts';
import { movable, reclaimAfter, release } from '../memory.ts';

/** How a backup chunks and names chunks; sent with a stream's first block. */
export interface ChunkingSpec {
  gear: Uint32Array;
  params: ChunkerParams;
  /** The blob-id key (encrypted backups); plain SHA-256 ids without. */
  idKey: Uint8Array | undefined;
}

export type ContentJob = {
  op: 'content';
  stream: number;
  /** With a stream's first block. */
  spec?: ChunkingSpec;
  /** The next bytes of the file, moved here (not copied). */
  block: Uint8Array;
  /** The file's last block: the final chunk comes back too. */
  end: boolean;
  /** The stream is abandoned (a cancelled or failed backup): forget it. */
  discard?: boolean;
};

export interface ContentChunk {
  id: string;
  data: Uint8Array;
}

export type ContentReply = { chunks: ContentChunk[] } | { error: string };

interface Stream {
  chunker: FastCdcChunker;
  idKey: ReturnType<typeof blobIdKeyFrom>;
}

const streams = new Map<number, Stream>();

/**
 * A finished stream's chunker, kept for the next file: each holds a buffer of
 * the largest chunk size (4 MiB), which would otherwise pile up, one per file,
 * until a collection (this thread frees what it receives itself and rarely
 * collects).
 */
let spare: FastCdcChunker | undefined;

function chunkerFor(spec: ChunkingSpec): FastCdcChunker {
  const reused = spare;
  spare = undefined;
  if (reused && reused.matches(spec.gear, spec.params)) return reused;
  return new FastCdcChunker(spec.gear, spec.params);
}

export function contentJob(req: ContentJob): { reply: ContentReply; transfer: ArrayBuffer[] } {
  if (req.discard) {
    streams.delete(req.stream);
    return { reply: { chunks: [] }, transfer: [] };
  }
  try {
    let stream = streams.get(req.stream);
    if (!stream) {
      if (!req.spec) throw new Error(`content stream ${req.stream} was never opened`);
      stream = { chunker: chunkerFor(req.spec), idKey: blobIdKeyFrom(req.spec.idKey) };
      streams.set(req.stream, stream);
    }
    const block = Buffer.from(req.block.buffer, req.block.byteOffset, req.block.byteLength);
    const pieces = stream.chunker.push(block);
    // The chunks are copies: the block's memory goes now, not at the next collection.
    (req.block.buffer as ArrayBuffer).transfer(0);
    if (req.end) {
      const last = stream.chunker.finish();
      if (last) pieces.push(last);
      streams.delete(req.stream);
      spare = stream.chunker;
    }
    const chunks = pieces.map((piece) => ({ id: blobIdOf(stream.idKey, piece), data: movable(piece) }));
    return { reply: { chunks }, transfer: chunks.map((c) => c.data.buffer as ArrayBuffer) };
  } catch (err) {
    streams.delete(req.stream);
    return { reply: { error: (err as Error).message }, transfer: [] };
  }
}

/** Small files, each whole and moved here (each view owns its memory). */
export type FilesJob = {
  op: 'files';
  spec: ChunkingSpec;
  files: Uint8Array[];
};

/** A chunk ready to pack: its payload is the next `length` bytes of the batch's data. */
export interface PreparedChunk {
  id: string;
  length: number;
  rawLength: number;
  compressed: boolean;
}

export interface PreparedFile {
  sha256: string;
  chunks: PreparedChunk[];
}

/** `data` holds every chunk's payload, in order, in memory of its own (moved back). */
export type FilesReply = { files: PreparedFile[]; data: Uint8Array } | { error: string };

export function filesJob(req: FilesJob): { reply: FilesReply; transfer: ArrayBuffer[] } {
  try {
    const idKey = blobIdKeyFrom(req.spec.idKey);
    const payloads: { payload: Buffer; compressed: boolean; moved: boolean }[] = [];
    let total = 0;
    const files = req.files.map((view): PreparedFile => {
      const data = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
      const chunks = piecesOf(data, req.spec).map((piece): PreparedChunk => {
        const { payload, compressed } = compressSync(piece);
        payloads.push({ payload, compressed, moved: payload.buffer === view.buffer });
        total += payload.length;
        return { id: blobIdOf(idKey, piece), length: payload.length, rawLength: piece.length, compressed };
      });
      return { sha256: createHash('sha256').update(data).digest('hex'), chunks };
    });
    // One buffer back instead of one per chunk: zstd's outputs may sit in Node's shared pool, which must never move.
    const data = Buffer.allocUnsafeSlow(total);
    let pos = 0;
    let left = 0;
    for (const { payload, compressed, moved } of payloads) {
      data.set(payload, pos);
      pos += payload.length;
      // zstd's output (or a chunker's copy): freed now unless it sits in Node's shared pool.
      if (compressed) release(payload);
      if (!moved && !(payload.buffer as ArrayBuffer).detached) left += payload.length;
    }
    // What is left (pooled or small) goes at a collection, which this thread would otherwise rarely run.
    reclaimAfter(left);
    for (const file of req.files) (file.buffer as ArrayBuffer).transfer(0);
    return { reply: { files, data }, transfer: [data.buffer as ArrayBuffer] };
  } catch (err) {
    return { reply: { error: (err as Error).message }, transfer: [] };
  }
}

/** A file's chunks: itself when it is no longer than the smallest chunk, as the main thread's chunker would cut it. */
function piecesOf(data: Buffer, spec: ChunkingSpec): Buffer[] {
  if (data.length <= spec.params.minSize) return data.length ? [data] : [];
  const chunker = chunkerFor(spec);
  const pieces = chunker.push(data);
  const last = chunker.finish();
  if (last) pieces.push(last);
  spare = chunker;
  return pieces;
}
