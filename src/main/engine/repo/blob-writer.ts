import { randomBytes } from 'node:crypto';
import type { BlobIndex, BlobLocation, BlobType, PackInfo } from './blob-index.ts';
import { COMPRESSION_SLOTS, maybeCompress } from './compression.ts';
import type { Layout } from './layout.ts';
import type { ObjectCodec } from './object-codec.ts';
import type { ObjectEncoder } from '../crypto/object-cipher.ts';
import { PartQueue } from './part-queue.ts';
import { reclaimAfter, release } from '../memory.ts';

export interface BlobWriterOptions {
  /** A pack is sealed once its payload reaches this size. */
  packSize?: number;
  /** Sealed packs still being stored (uploaded, or fsynced on a local disk) while the next one fills. */
  maxUploads?: number;
  /** Raw bytes accepted but not yet packed (bounds memory while compression runs). */
  maxPendingBytes?: number;
}

export interface WrittenPack {
  info: PackInfo;
  /** Its blobs in the order packed, read from the index (which holds them already). */
  blobs: Iterable<[string, BlobLocation]>;
}

/** Encrypted bytes of the open pack the store has not taken yet; beyond this, add() waits. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/**
 * Raw bytes accepted but not yet packed, by default: two chunks of the
 * average size (1 MiB) for each of compression's slots, one compressing and
 * one waiting. On 2 cores, twice this made a 513 MiB backup peak 7 MiB higher
 * (158 against 151 MiB, median of 6) in the same time.
 */
const MAX_PENDING_BYTES = COMPRESSION_SLOTS * 2 * 1024 * 1024;

interface OpenPack {
  id: string;
  /** The number its blobs are indexed under, and the index's size when it opened (see BlobIndex.blobsOf). */
  number: number;
  firstRecord: number;
  key: string;
  encoder: ObjectEncoder;
  /** The pack's bytes on their way to the store, which has been writing them since the pack opened. */
  queue: PartQueue;
  put: Promise<void>;
  stored: number;
  length: number;
}

/**
 * Deduplicates blobs against the index, compresses them and packs them into
 * pack objects of ~16 MiB, streamed to the store as they fill. Blobs are
 * packed in the order they were added, so a restore, which reads them in that
 * order, reads each pack front to back and keeps few blocks. Memory stays
 * bounded: at most `maxPendingBytes` waiting for compression, a few MiB
 * queued for the store, and whatever the store itself holds per put (none on
 * a local disk; S3 keeps a pack so a failed request can be resent).
 */
export class BlobWriter {
  private readonly codec: ObjectCodec;
  private readonly layout: Layout;
  private readonly index: BlobIndex;
  private readonly packSize: number;
  private readonly maxUploads: number;
  private readonly maxPendingBytes: number;
  /** Blobs accepted but not yet packed (and so not yet in the index). */
  private readonly pendingIds = new Set<string>();
  private readonly tasks = new Set<Promise<void>>();
  /** The task added last: each one packs its blob after the one before (see add). */
  private lastTask: Promise<void> = Promise.resolve();
  private readonly uploads = new Set<Promise<void>>();
  private pendingBytes = 0;
  private readonly waiters: (() => void)[] = [];
  private pack: OpenPack | undefined;
  private failure: unknown;
  readonly written: WrittenPack[] = [];
  addedBytes = 0;
  storedBytes = 0;

  constructor(codec: ObjectCodec, layout: Layout, index: BlobIndex, options: BlobWriterOptions = {}) {
    this.codec = codec;
    this.layout = layout;
    this.index = index;
    this.packSize = options.packSize ?? 16 * 1024 * 1024;
    this.maxUploads = options.maxUploads ?? codec.backend.concurrentPuts;
    this.maxPendingBytes = options.maxPendingBytes ?? MAX_PENDING_BYTES;
  }

  /**
   * Accepts a blob and returns its id (`knownId` when the caller computed it
   * already, as codec.blobId would). Resolves once the blob is accepted (it
   * may still be uploading); call flush() to wait until everything is stored.
   */
  async add(type: BlobType, data: Buffer, knownId?: string, owned = false): Promise<string> {
    this.throwIfFailed();
    const id = knownId ?? this.codec.blobId(data);
    if (this.index.has(id) || this.pendingIds.has(id)) {
      if (owned) release(data);
      return id;
    }
    this.pendingIds.add(id);
    const length = data.length;
    while (this.pendingBytes > 0 && this.pendingBytes + length > this.maxPendingBytes) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.throwIfFailed();
    }
    await this.roomInPack();
    this.addedBytes += length;
    const result = maybeCompress(data);
    const onPool = result instanceof Promise;
    if (!onPool && !this.tasks.size) {
      // Compressed here already (small blobs) and nothing ahead of it: straight into the pack, no task to track.
      const kept = this.append(id, type, result.payload, length, result.compressed);
      this.done(data, undefined, owned, kept);
      return id;
    }
    this.pendingBytes += length;
    // Packed in the order added, whatever order compression finishes in.
    const task = Promise.all([result, this.lastTask])
      .then(([{ payload, compressed }]) => {
        const zstdOutput = onPool && compressed;
        const kept = this.append(id, type, payload, length, compressed, zstdOutput);
        this.done(data, zstdOutput ? payload : undefined, owned, kept);
      })
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.pendingBytes -= length;
        this.tasks.delete(task);
        this.waiters.shift()?.();
      });
    this.tasks.add(task);
    this.lastTask = task;
    return id;
  }

  /**
   * Accepts a blob whose id and compression were decided elsewhere (an engine
   * thread's batch of small files). Resolves to whether the pack may still
   * hold `payload` itself, as append() says; false when it was a duplicate.
   */
  async addPrepared(type: BlobType, id: string, payload: Buffer, rawLength: number, compressed: boolean): Promise<boolean> {
    this.throwIfFailed();
    if (this.index.has(id) || this.pendingIds.has(id)) return false;
    this.pendingIds.add(id);
    while (this.tasks.size) await this.lastTask; // blobs added before it are packed first
    this.throwIfFailed();
    await this.roomInPack();
    this.addedBytes += rawLength;
    return this.append(id, type, payload, rawLength, compressed);
  }

  /** Waits while the store is behind: as many packs on their way as it takes at once, and a few MiB queued. */
  private async roomInPack(): Promise<void> {
    while (this.uploads.size >= this.maxUploads) {
      await Promise.race(this.uploads);
      this.throwIfFailed();
    }
    if (this.pack) {
      await this.pack.queue.drained(MAX_QUEUED_BYTES);
      this.throwIfFailed();
    }
  }

  /** Seals the open pack and waits until every accepted blob is durably stored. */
  async flush(): Promise<WrittenPack[]> {
    while (this.tasks.size) await Promise.all(this.tasks);
    this.throwIfFailed();
    if (this.pack) this.sealPack();
    while (this.uploads.size) await Promise.all(this.uploads);
    this.throwIfFailed();
    return this.written;
  }

  /** Stops accepting work after a failure or cancellation; waits for what is in flight. */
  async abort(reason: unknown): Promise<void> {
    this.fail(reason);
    await Promise.allSettled([...this.tasks, ...this.uploads, ...(this.pack ? [this.pack.put] : [])]);
  }

  /**
   * A blob is packed: what nobody else holds is freed at once when the pack's
   * encoder made its own copy (it encrypts), and the rest is counted toward
   * the next collection (see memory.ts).
   */
  private done(data: Buffer, compressed: Buffer | undefined, owned: boolean, kept: boolean): void {
    // Lengths first: a freed buffer reads as empty.
    const dataLength = data.length;
    const compressedLength = compressed?.length ?? 0;
    let left = dataLength + compressedLength;
    if (!kept && compressed) {
      release(compressed); // zstd's output buffer, made for this blob alone
      left -= compressedLength;
    }
    if (!kept && owned) {
      release(data);
      left -= dataLength;
    }
    // What the encoder made is the pack queue's to free or count (PartQueue).
    reclaimAfter(left);
  }

  /**
   * Packs a blob; returns whether the pack may still hold `payload` itself
   * (see ObjectEncoder.keepsInput). `zstdOutput`: the payload is the only view
   * of zstd's output buffer (compression.ts), which may be much larger.
   */
  private append(id: string, type: BlobType, payload: Buffer, rawLength: number, compressed: boolean, zstdOutput = false): boolean {
    if (this.failure) return true;
    const pack = (this.pack ??= this.openPack());
    // A pack that keeps what it is given must not keep zstd's larger buffer with it.
    if (pack.encoder.keepsInput && zstdOutput) payload = compact(payload);
    for (const part of pack.encoder.update(payload)) this.collect(pack, part);
    // Indexed at once, as part of a pack not yet stored: a later blob with the same id is a duplicate.
    this.index.addBlob(pack.number, id, type, pack.length, payload.length, rawLength, compressed);
    this.pendingIds.delete(id);
    pack.length += payload.length;
    if (pack.length >= this.packSize) this.sealPack();
    return pack.encoder.keepsInput;
  }

  private openPack(): OpenPack {
    const id = randomBytes(32).toString('hex');
    const key = this.layout.pack(id);
    const encoder = this.codec.encoder(key);
    // An encrypting encoder's output is its own: the store may free it once written.
    const queue = new PartQueue(!encoder.keepsInput, this.codec.backend.freesParts);
    const put = this.codec.backend.put(key, queue);
    // A store failure stops the writer at once, not only when the pack is sealed.
    put.catch((err: unknown) => this.fail(err));
    return { id, number: this.index.packNumber(id), firstRecord: this.index.size, key, encoder, queue, put, stored: 0, length: 0 };
  }

  private collect(pack: OpenPack, part: Buffer): void {
    pack.queue.push(part);
    pack.stored += part.length;
  }

  private sealPack(): void {
    const pack = this.pack!;
    this.pack = undefined;
    for (const part of pack.encoder.final()) this.collect(pack, part);
    pack.queue.end();
    // Its records end here: taken now, the range holds none of the next pack's.
    const blobs = this.index.blobsOf(pack.number, pack.firstRecord);
    const upload = pack.put
      .then(() => {
        const info: PackInfo = { id: pack.id, size: pack.stored, length: pack.length };
        this.index.addPackInfo(info);
        this.written.push({ info, blobs });
        this.storedBytes += pack.stored;
      })
      .catch((err: unknown) => this.fail(err))
      .finally(() => this.uploads.delete(upload));
    this.uploads.add(upload);
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    // The open pack's put then fails too, and leaves nothing in the store.
    this.pack?.queue.fail(this.failure);
    for (const wake of this.waiters.splice(0)) wake();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/**
 * zstd's output is a view of a buffer sized for the worst case (compression.ts):
 * a copy of just the output when that buffer is much larger, which then goes.
 */
function compact(payload: Buffer): Buffer {
  if (payload.buffer.byteLength - payload.length < COMPACT_SLACK) return payload;
  const copy = Buffer.allocUnsafeSlow(payload.length);
  copy.set(payload);
  release(payload);
  return copy;
}
const COMPACT_SLACK = 64 * 1024;
