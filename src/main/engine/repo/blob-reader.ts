import { integrityError } from '../errors.ts';
import type { BlobIndex, BlobLocation } from './blob-index.ts';
import { decompress } from './compression.ts';
import type { Layout } from './layout.ts';
import type { ObjectCodec } from './object-codec.ts';

/** Reads blobs by id: ranged read of the pack, decrypt, decompress, and check the id. */
export class BlobReader {
  private readonly codec: ObjectCodec;
  private readonly layout: Layout;
  private readonly index: BlobIndex;

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
    const pack = this.index.packs.get(loc.pack);
    if (!pack) throw integrityError(`pack ${loc.pack.slice(0, 16)}… is missing from the index`);
    const payload = await this.codec.readRange(this.layout.pack(loc.pack), pack.length, loc.offset, loc.length);
    return this.decode(id, loc, payload);
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
