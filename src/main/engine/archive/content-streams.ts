import { DvomError } from '../errors.ts';
import { leaseThreads, type ThreadLease } from '../engine-threads.ts';
import { filesJob, type ChunkingSpec, type ContentChunk, type ContentReply, type FilesReply, type PreparedFile } from './content-job.ts';

/** Stream numbers are unique in the process: the engine threads are shared by every backup running. */
let lastStream = 0;

/**
 * Files read on the engine threads (content-job.ts) while the main thread
 * reads ahead, packs and stores: large ones chunked as a stream per file,
 * smaller ones prepared in batches.
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

  /**
   * Small files, each whole and moved (each must own its memory): hashed,
   * chunked, named and compressed on a thread in one trip (content-job.ts),
   * or `here`, on this thread, when the threads are busy and this one would
   * only wait for them.
   */
  async files(files: Uint8Array[], here = false): Promise<{ files: PreparedFile[]; data: Buffer }> {
    const job = { op: 'files', spec: this.spec, files } as const;
    const reply = here
      ? filesJob(job).reply
      : await this.threads.run<FilesReply>(++lastStream, job, files.map((f) => f.buffer as ArrayBuffer));
    if ('error' in reply) throw new DvomError('ERROR', `reading files failed: ${reply.error}`);
    return { files: reply.files, data: Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength) };
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
