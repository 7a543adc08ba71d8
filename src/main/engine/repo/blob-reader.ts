import { integrityError, isDvomError } from '../errors.ts';
import type { BlobIndex, BlobLocation } from './blob-index.ts';
import { decompress, decompressFrames } from './compression.ts';
import type { DecodePool } from './decode-pool.ts';
import type { Layout } from './layout.ts';
import { markOwned, reclaimAfter, release } from '../memory.ts';
import type { ObjectCodec } from './object-codec.ts';

/** A decrypted, fixed-position stretch of a pack's payload, kept for the blobs that follow. */
interface Block {
  pack: string;
  index: number;
  data: Promise<Buffer>;
  /** Once read. */
  bytes?: Buffer;
  /** Reads cutting their blob from it right now. */
  users: number;
  /** No longer kept: freed once its last user is done. */
  dropped: boolean;
}

/**
 * Blobs are read in tree order, and neighbours in a file usually sit side by
 * side in one pack (though not always in order: compression finishes out of
 * order). Reading packs in fixed blocks (4 MiB, or the store's rangeReadSize)
 * turns hundreds of small ranged requests (costly on S3) into a handful, and
 * since a block's position is fixed, reads in flight at once share it instead
 * of fetching bytes twice. A multiple of the cipher's 64 KiB segments, so a
 * block decrypts on its own.
 */
const BLOCK_SIZE = 4 * 1024 * 1024;
const SEGMENT = 64 * 1024;
const BLOCKS_KEPT = 2;
/** Blobs up to this size are decoded on the calling thread even with a pool. */
const POOL_MIN = 32 * 1024;
/** Small compressed blobs decompressed together at most, by count and by plaintext bytes. */
const FRAMES_BATCH = 64;
const FRAMES_BATCH_BYTES = 1024 * 1024;

/** Reads blobs by id: ranged read of the pack, decrypt, decompress, and check the id. */
export class BlobReader {
  private readonly codec: ObjectCodec;
  private readonly layout: Layout;
  private readonly index: BlobIndex;
  private blocks: Block[] = [];
  private readonly pool: DecodePool | undefined;
  private readonly blockSize: number;
  /** Blocks read ahead of their first use (see hint), by pack and index. */
  private readonly ahead = new Map<string, Promise<Buffer>>();
  private readonly aheadLimit: number;
  /** Small compressed blobs to decompress together (see decodeWithOthers), and their plaintext bytes. */
  private frames: Waiting[] = [];
  private framesBytes = 0;

  /** With a pool, decryption and decoding run on its threads; without, here. */
  constructor(codec: ObjectCodec, layout: Layout, index: BlobIndex, pool?: DecodePool) {
    this.codec = codec;
    this.layout = layout;
    this.index = index;
    this.pool = pool;
    const size = codec.backend.rangeReadSize;
    this.blockSize = size && size > 0 && size % SEGMENT === 0 ? size : BLOCK_SIZE;
    this.aheadLimit = Math.floor((codec.backend.readAhead ?? 0) / this.blockSize);
  }

  /**
   * A blob that will be read soon: on a store where each read is a round trip
   * (readAhead), the blocks holding it are fetched (and decrypted) now, a few
   * at most, so several reads are under way while earlier blobs are decoded
   * and written. Only blocks that hold a blob about to be read: nothing is
   * fetched that the restore will not use. Returns false when there was no
   * room for it (the caller names it again later).
   */
  hint(id: string): boolean {
    if (this.ahead.size >= this.aheadLimit) return false;
    const loc = this.index.get(id);
    const pack = loc && this.index.packs.get(loc.pack);
    if (!loc || !pack) return true; // reported when it is read
    const [first, last] = this.blocksOf(loc);
    for (let i = first; i <= last && this.ahead.size < this.aheadLimit; i++) {
      const key = aheadKey(loc.pack, i);
      if (this.ahead.has(key) || this.kept(loc.pack, i)) continue;
      const data = this.readBlock(loc.pack, pack.length, i);
      data.catch(() => undefined); // its error reaches whoever takes the block
      this.ahead.set(key, data);
    }
    return true;
  }

  /** Whether hint() may fetch anything on this store. */
  get readsAhead(): boolean {
    return this.aheadLimit > 0;
  }

  location(id: string): BlobLocation {
    const loc = this.index.get(id);
    if (!loc) throw integrityError(`blob ${id.slice(0, 16)}… is referenced but missing from the index`);
    return loc;
  }

  /**
   * A blob's plaintext. Its bytes are counted toward the next collection
   * unless `counted` is false: then the caller frees or counts them itself
   * (restore-stream.ts). A result is never a view into a block (blocks are
   * freed once dropped); those that are memory of their own are marked owned
   * (memory.ts), the rest are short and may share Node's pool.
   */
  async read(id: string, counted = true): Promise<Buffer> {
    const loc = this.location(id);
    if (counted) reclaimAfter(loc.rawLength);
    return this.decode(id, loc, await this.payload(loc));
  }

  /** The blob's stored bytes, from the blocks of its pack that hold it. */
  private async payload(loc: BlobLocation): Promise<Buffer> {
    const pack = this.index.packs.get(loc.pack);
    if (!pack) throw integrityError(`pack ${loc.pack.slice(0, 16)}… is missing from the index`);
    const end = loc.offset + loc.length;
    const [first, last] = this.blocksOf(loc);
    const used: Block[] = [];
    for (let i = first; i <= last; i++) used.push(this.block(loc.pack, pack.length, i));
    try {
      let blocks: Buffer[];
      try {
        blocks = await Promise.all(used.map((b) => b.data));
      } catch (err) {
        if (!isDvomError(err, 'INTEGRITY')) throw err;
        // A damaged segment elsewhere in the block must not make this blob unreadable: read only its own segments.
        return await this.codec.readRange(this.layout.pack(loc.pack), pack.length, loc.offset, loc.length);
      }
      const slices = blocks.map((data, k) => {
        const blockStart = (first + k) * this.blockSize;
        return data.subarray(Math.max(loc.offset, blockStart) - blockStart, Math.min(end, blockStart + data.length) - blockStart);
      });
      // A copy, so no blob outlives its blocks in memory, which are freed once dropped.
      return slices.length === 1 ? Buffer.from(slices[0]!) : Buffer.concat(slices);
    } finally {
      for (const block of used) this.unuse(block);
    }
  }

  /** The first and last of the fixed blocks that hold the blob's stored bytes. */
  private blocksOf(loc: BlobLocation): [first: number, last: number] {
    const first = Math.floor(loc.offset / this.blockSize);
    return [first, Math.max(first, Math.floor((loc.offset + loc.length - 1) / this.blockSize))];
  }

  private kept(pack: string, index: number): Block | undefined {
    return this.blocks.find((b) => b.pack === pack && b.index === index);
  }

  /** Takes a block for one read (call unuse() once its bytes are copied out). */
  private block(pack: string, packLength: number, index: number): Block {
    const kept = this.kept(pack, index);
    if (kept) {
      this.blocks = [kept, ...this.blocks.filter((b) => b !== kept)];
      kept.users++;
      return kept;
    }
    const key = aheadKey(pack, index);
    const data = this.ahead.get(key) ?? this.readBlock(pack, packLength, index);
    this.ahead.delete(key);
    const block: Block = { pack, index, data, users: 1, dropped: false };
    data.then(
      (bytes) => (block.bytes = bytes),
      () => (this.blocks = this.blocks.filter((b) => b !== block)), // a failed read is not kept (its error reaches every caller waiting on it)
    );
    this.blocks = [block, ...this.blocks];
    this.trim();
    return block;
  }

  private unuse(block: Block): void {
    block.users--;
    if (block.users === 0 && !block.dropped) this.trim();
    this.free(block);
  }

  /**
   * Keeps the BLOCKS_KEPT most recent blocks, and older ones only while reads
   * still cut from them: those are in memory anyway, and a read of the same
   * block in the meantime shares them instead of fetching them again.
   */
  private trim(): void {
    this.blocks = this.blocks.filter((b, i) => {
      if (i < BLOCKS_KEPT || b.users > 0) return true;
      b.dropped = true;
      this.free(b);
      return false;
    });
  }

  /** A dropped block nobody is reading from: its memory (this reader's alone) goes now, not at a collection. */
  private free(block: Block): void {
    if (block.dropped && block.users === 0 && block.bytes) release(block.bytes);
  }

  private readBlock(pack: string, packLength: number, index: number): Promise<Buffer> {
    const start = index * this.blockSize;
    return this.readRange(this.layout.pack(pack), packLength, start, Math.min(this.blockSize, packLength - start));
  }

  private async readRange(key: string, packLength: number, offset: number, length: number): Promise<Buffer> {
    const keys = this.codec.keys;
    if (!this.pool || !keys) return this.codec.readRange(key, packLength, offset, length);
    const { header, sealed } = await this.codec.readSealed(key, packLength, offset, length);
    return this.pool.open(keys.enc, key, packLength, header, sealed, offset, length);
  }

  /** Turns a blob's stored payload into its plaintext, checking it against its id. */
  async decode(id: string, loc: BlobLocation, payload: Buffer): Promise<Buffer> {
    const what = `blob ${id.slice(0, 16)}… in pack ${loc.pack.slice(0, 16)}…`;
    // Small blobs are quicker here than a message to a worker and back.
    if (this.pool && loc.rawLength > POOL_MIN) {
      return markOwned(await this.pool.blob(id, what, payload, loc.rawLength, loc.compressed, this.codec.keys?.blobId));
    }
    if (loc.compressed && loc.rawLength <= POOL_MIN) return this.decodeWithOthers({ id, what, loc, payload });
    return this.decodeHere({ id, what, loc, payload });
  }

  private async decodeHere({ id, what, loc, payload }: Encoded): Promise<Buffer> {
    const plain = loc.compressed ? markOwned(await decompress(payload, loc.rawLength, what)) : payload;
    if (plain.length !== loc.rawLength || this.codec.blobId(plain) !== id) {
      throw integrityError(`${what} does not match its id (corrupted data)`);
    }
    return plain;
  }

  /**
   * A small compressed blob, decompressed together with the others asked for
   * in this turn of the event loop (compression.ts decompressFrames): a
   * version of many small files reads a few at once, and one decoder for
   * them all costs a fraction of one each.
   */
  private decodeWithOthers(blob: Encoded): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (!this.frames.length) setImmediate(() => this.decodeFrames());
      this.frames.push({ ...blob, resolve, reject });
      this.framesBytes += blob.loc.rawLength;
      if (this.frames.length >= FRAMES_BATCH || this.framesBytes >= FRAMES_BATCH_BYTES) this.decodeFrames();
    });
  }

  /**
   * Each blob's plaintext is a view of the batch's output, checked against its
   * id like any other. One that does not match is decoded again on its own,
   * which tells its own error (or, when damage elsewhere in the batch shifted
   * it, gives its bytes): a damaged blob fails alone, as if read by itself.
   */
  private decodeFrames(): void {
    const batch = this.frames;
    if (!batch.length) return;
    this.frames = [];
    this.framesBytes = 0;
    const total = batch.reduce((n, b) => n + b.loc.rawLength, 0);
    const joined = batch.length > 1 ? decompressFrames(batch.map((b) => b.payload), total) : undefined;
    let at = 0;
    for (const blob of batch) {
      const plain = joined?.subarray(at, at + blob.loc.rawLength);
      at += blob.loc.rawLength;
      if (plain && this.codec.blobId(plain) === blob.id) blob.resolve(plain);
      else this.decodeHere(blob).then(blob.resolve, blob.reject);
    }
  }
}

/** A blob's stored payload and where it was read from. */
interface Encoded {
  id: string;
  /** How errors name it. */
  what: string;
  loc: BlobLocation;
  payload: Buffer;
}

/** A small compressed blob waiting for the rest of its batch (BlobReader.decodeWithOthers). */
interface Waiting extends Encoded {
  resolve: (plain: Buffer) => void;
  reject: (err: unknown) => void;
}

/** A block's key in BlobReader's read-ahead map: hint() files blocks under it, block() takes them by it. */
function aheadKey(pack: string, index: number): string {
  return `${pack}:${index}`;
}
