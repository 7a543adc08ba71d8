import type { BlobWriter } from '../repo/blob-writer.ts';
import { movable, reclaimAfter, release } from '../memory.ts';
import type { PreparedFile } from './content-job.ts';
import type { ContentStreams } from './content-streams.ts';

/** A batch is sent once it holds this many files or bytes: a trip to the thread costs about as much as a few small files. */
const BATCH_FILES = 128;
const BATCH_BYTES = 1024 * 1024;
/** Batches on their way at once: the thread always has the next while this thread packs the last. */
export const BATCHES_IN_FLIGHT = 3;
/** Batches the thread has not finished from which the next is prepared here instead. */
const THREAD_BACKLOG = 2;
/**
 * A freed batch counts this fraction of its bytes toward the next full
 * collection (memory.ts), for its files' records: one every 32 MiB of small
 * files rather than 8. Measured on 20,000 files of 200 B-8 KiB: 10 full
 * collections instead of 17 (118 against 219 ms of the main thread), the
 * backup 1.57 s instead of 1.79 s, peak RSS some 5-10 MiB higher; with no
 * count at all, 33 MiB higher for no further gain.
 */
const FREED_BATCH_SHARE = 4;

export interface FileContent {
  size: number;
  sha256: string;
  chunks: string[];
}

interface Batch {
  files: Uint8Array[];
  /** Each file's size, kept: a view reads as empty once it was moved. */
  sizes: number[];
  bytes: number;
  /** Set once sent. */
  prepared?: Promise<{ files: PreparedFile[]; data: Buffer }>;
  arrived: boolean;
  stored?: Promise<FileContent[]>;
}

/** Where a file's content will be once its batch is stored. */
export interface BatchSlot {
  batch: Batch;
  index: number;
}

function newBatch(): Batch {
  return { files: [], sizes: [], bytes: 0, arrived: false };
}

/**
 * Small files prepared on an engine thread in batches (content-job.ts
 * filesJob), then packed here in order: the caller adds files as the source
 * yields them and asks for each one's content in the same order.
 */
export class FileBatches {
  private readonly streams: ContentStreams;
  private readonly writer: BlobWriter;
  private open = newBatch();
  /** Sent batches whose content was not asked for yet, oldest first. */
  private readonly sent: Batch[] = [];

  constructor(streams: ContentStreams, writer: BlobWriter) {
    this.streams = streams;
    this.writer = writer;
  }

  /** Batches on their way or not yet packed. */
  get inFlight(): number {
    return this.sent.length;
  }

  /** Takes a file's whole content (this owns it from now on; it is moved to a thread). */
  add(data: Buffer): BatchSlot {
    if (this.open.files.length >= BATCH_FILES || (this.open.bytes > 0 && this.open.bytes + data.length > BATCH_BYTES)) this.send();
    const batch = this.open;
    batch.files.push(movable(data));
    batch.sizes.push(data.length);
    batch.bytes += data.length;
    return { batch, index: batch.files.length - 1 };
  }

  /** Sends the files added so far (the thread would sit idle while this thread waits on something else). */
  send(): void {
    const batch = this.open;
    if (!batch.files.length) return;
    this.open = newBatch();
    // While the thread has enough to do, this thread prepares the batch itself rather than wait for it.
    const backlog = this.sent.reduce((n, b) => n + (b.arrived ? 0 : 1), 0);
    batch.prepared = this.streams.files(batch.files, backlog >= THREAD_BACKLOG);
    batch.prepared.then(
      () => (batch.arrived = true),
      () => undefined, // thrown where it is awaited
    );
    this.sent.push(batch);
  }

  /** Whether `slot`'s content can be had without waiting on the thread. */
  ready(slot: BatchSlot): boolean {
    return slot.batch.arrived;
  }

  /** A file's content, once its batch is packed; slots are asked for in the order they were added. */
  content(slot: BatchSlot): Promise<FileContent> {
    if (slot.batch === this.open) this.send();
    const { batch } = slot;
    batch.stored ??= this.store(batch);
    return batch.stored.then((contents) => contents[slot.index]!);
  }

  private async store(batch: Batch): Promise<FileContent[]> {
    const { files, data } = await batch.prepared!;
    this.sent.splice(this.sent.indexOf(batch), 1);
    let pos = 0;
    let kept = false;
    const contents = files.map((file, i) => ({ size: batch.sizes[i]!, sha256: file.sha256, chunks: [] as string[] }));
    for (const [i, file] of files.entries()) {
      for (const chunk of file.chunks) {
        const payload = data.subarray(pos, pos + chunk.length);
        pos += chunk.length;
        if (await this.writer.addPrepared('data', chunk.id, payload, chunk.rawLength, chunk.compressed)) kept = true;
        contents[i]!.chunks.push(chunk.id);
      }
    }
    // An encrypting pack copied what it took, so the batch's memory can go now.
    if (!kept) release(data);
    // Freed, it needs no collection; the records made for its files do, or the heap grows to tens of MiB of them.
    reclaimAfter(kept ? batch.bytes : batch.bytes / FREED_BATCH_SHARE);
    return contents;
  }
}
