import { integrityError } from '../errors.ts';
import type { BlobIndex, BlobLocation } from './blob-index.ts';
import { decompress } from './compression.ts';
import type { Layout } from './layout.ts';
import type { ObjectCodec } from './object-codec.ts';

/** A decrypted stretch of a pack's payload, kept for the blobs that follow. */
interface Window {
  pack: string;
  start: number;
  data: Promise<Buffer>;
}

/**
 * Blobs are read in tree order, and neighbours in a file usually sit side by
 * side in one pack: reading a few MiB at once turns hundreds of small ranged
 * requests (costly on S3) into a handful.
 */
const WINDOW_SIZE = 4 * 1024 * 1024;
const WINDOWS_KEPT = 4;

/** Reads blobs by id: ranged read of the pack, decrypt, decompress, and check the id. */
export class BlobReader {
  private readonly codec: ObjectCodec;
  private readonly layout: Layout;
  private readonly index: BlobIndex;
  private windows: Window[] = [];

  constructor(codec: ObjectCodec, layout: Layout, index: BlobIndex) {
    this.codec = codec;
    this.layout = layout;
    this.index = index;
  }

  location(id: string): BlobLocation {
    const loc = this.index.get(id);
    if (!loc) throw integrityError(`blob ${id.slice(0, 16)}… is referenced but missing from the index`);
    return loc;
  }

  async read(id: string): Promise<Buffer> {
    const loc = this.location(id);
    return this.decode(id, loc, await this.payload(loc));
  }

  /** The blob's stored bytes, from a window read earlier or a new one starting at the blob. */
  private async payload(loc: BlobLocation): Promise<Buffer> {
    const end = loc.offset + loc.length;
    const hit = this.windows.find((w) => w.pack === loc.pack && w.start <= loc.offset);
    if (hit) {
      const data = await hit.data;
      if (hit.start + data.length >= end) return data.subarray(loc.offset - hit.start, end - hit.start);
    }
    const pack = this.index.packs.get(loc.pack);
    if (!pack) throw integrityError(`pack ${loc.pack.slice(0, 16)}… is missing from the index`);
    const length = Math.min(pack.length - loc.offset, Math.max(loc.length, WINDOW_SIZE));
    const window: Window = {
      pack: loc.pack,
      start: loc.offset,
      data: this.codec.readRange(this.layout.pack(loc.pack), pack.length, loc.offset, length),
    };
    window.data.catch(() => undefined); // a failed window is dropped below; its error reaches the caller
    this.windows = [window, ...this.windows.filter((w) => w !== hit)].slice(0, WINDOWS_KEPT);
    try {
      const data = await window.data;
      return data.subarray(0, loc.length);
    } catch (err) {
      this.windows = this.windows.filter((w) => w !== window);
      throw err;
    }
  }

  /** Turns a blob's stored payload into its plaintext, checking it against its id. */
  async decode(id: string, loc: BlobLocation, payload: Buffer): Promise<Buffer> {
    const what = `blob ${id.slice(0, 16)}… in pack ${loc.pack.slice(0, 16)}…`;
    const plain = loc.compressed ? await decompress(payload, loc.rawLength, what) : payload;
    if (plain.length !== loc.rawLength || this.codec.blobId(plain) !== id) {
      throw integrityError(`${what} does not match its id (corrupted data)`);
    }
    return plain;
  }
}
