/**
 * Half of the CPU work of reading a large file, on an engine thread
 * (engine-thread.ts): content-defined chunking and each chunk's id. The main
 * thread reads the file, hashes it (SHA-256: about as costly as the ids, and
 * the main thread would wait otherwise), deduplicates, packs and stores;
 * compression runs on libuv's pool. Every block of one stream goes to the same
 * thread, in order, so one chunker sees the whole file.
 */
import { FastCdcChunker, type ChunkerParams } from '../chunker/fastcdc.ts';
import { blobIdKeyFrom, blobIdOf } from '../repo/blob-id.ts';
import { movable } from '../memory.ts';

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
