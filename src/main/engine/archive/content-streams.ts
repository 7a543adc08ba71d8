import { DvomError } from '../errors.ts';
import { leaseThreads, type ThreadLease } from '../engine-threads.ts';
import type { ChunkingSpec, ContentChunk, ContentReply } from './content-job.ts';

/** Stream numbers are unique in the process: the engine threads are shared by every backup running. */
let lastStream = 0;

/**
 * Large files chunked on the engine threads (content-job.ts), one
 * stream per file, while the main thread reads ahead, packs and stores.
 */
export class ContentStreams {
  private readonly threads: ThreadLease = leaseThreads();
  private readonly spec: ChunkingSpec;

  constructor(spec: ChunkingSpec) {
    this.spec = spec;
  }

  open(): ContentStream {
    return new ContentStream(this.threads, this.spec, ++lastStream);
  }

  close(): Promise<void> {
    return this.threads.release();
  }
}

export interface ChunkedBlock {
  chunks: ContentChunk[];
}

export class ContentStream {
  private readonly threads: ThreadLease;
  private spec: ChunkingSpec | undefined;
  private readonly id: number;
  private ended = false;

  constructor(threads: ThreadLease, spec: ChunkingSpec, id: number) {
    this.threads = threads;
    this.spec = spec;
    this.id = id;
  }

  /**
   * Hands over the next block (moved: `block` is unusable afterwards, so it
   * must own its memory) and resolves to the chunks it completed. Blocks are
   * processed in the order sent.
   */
  async push(block: Uint8Array, end: boolean): Promise<ChunkedBlock> {
    if (this.ended) throw new Error('content stream already ended');
    this.ended = end;
    const spec = this.spec;
    this.spec = undefined;
    const reply = await this.threads.run<ContentReply>(
      this.id,
      { op: 'content', stream: this.id, block, end, ...(spec ? { spec } : {}) },
      [block.buffer as ArrayBuffer],
    );
    if ('error' in reply) throw new DvomError('ERROR', `chunking failed: ${reply.error}`);
    return reply;
  }

  /** Forgets an unfinished stream (its thread would keep its chunker otherwise). */
  discard(): void {
    if (this.ended) return;
    this.ended = true;
    this.threads.run(this.id, { op: 'content', stream: this.id, block: new Uint8Array(0), end: true, discard: true }).catch(() => undefined);
  }
}
