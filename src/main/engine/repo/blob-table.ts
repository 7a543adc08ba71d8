import { randomInt } from 'node:crypto';

/** A record: the 32-byte id as 8 words, then pack number, offset, length, raw length and flags. */
const WORDS = 13;
const ID_WORDS = 8;
const PACK = 8;
const OFFSET = 9;
const LENGTH = 10;
const RAW_LENGTH = 11;
const FLAGS = 12;
const PAGE_SHIFT = 12;
const PAGE_RECORDS = 1 << PAGE_SHIFT;
const INITIAL_SLOTS = 1024;

/** The largest value a record's numeric field holds. */
export const MAX_FIELD = 0xffff_ffff;

function checkField(v: number): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= MAX_FIELD)) throw new RangeError(`blob record field out of range: ${v}`);
}

export interface BlobRecord {
  pack: number;
  offset: number;
  length: number;
  rawLength: number;
  flags: number;
}

/**
 * The blob index's storage: 52 bytes per blob in typed-array pages outside
 * the JS heap, found through an open-addressing table of record numbers. A
 * Map of hex strings to objects took about 250 bytes per blob, and a backup
 * of millions of small files holds millions of blobs; a Map also stops at
 * 2^24 entries. Records stay in the order added.
 */
export class BlobTable {
  private readonly pages: Uint32Array[] = [];
  private count = 0;
  /** Record number + 1 per slot; 0 is empty. Kept at most half full. */
  private slots = new Int32Array(INITIAL_SLOTS);
  /** Seeded: a store that chooses ids (a plain backup's index is not keyed) cannot aim them at one slot. */
  private readonly seed = randomInt(0, 2 ** 32);
  /** The id being looked up, as words. */
  private readonly key = new Uint32Array(ID_WORDS);
  private readonly keyBytes = Buffer.from(this.key.buffer);

  get size(): number {
    return this.count;
  }

  /** The record number of `id` (64 hex digits), or -1. */
  find(id: string): number {
    if (!this.load(id)) return -1;
    const mask = this.slots.length - 1;
    for (let slot = this.hash(this.key, 0) & mask; ; slot = (slot + 1) & mask) {
      const r = this.slots[slot]! - 1;
      if (r < 0 || this.matches(r)) return r;
    }
  }

  /**
   * Adds `id` (64 hex digits, or its 32 bytes) unless present; returns whether
   * it was added. Throws on any other id or on a field that is not a whole
   * number up to MAX_FIELD.
   */
  add(id: string | Uint8Array, pack: number, offset: number, length: number, rawLength: number, flags: number): boolean {
    if (typeof id === 'string' ? !this.load(id) : id.length !== ID_WORDS * 4) throw new TypeError('not a blob id');
    if (typeof id !== 'string') this.keyBytes.set(id);
    checkField(pack);
    checkField(offset);
    checkField(length);
    checkField(rawLength);
    checkField(flags);
    const mask = this.slots.length - 1;
    let slot = this.hash(this.key, 0) & mask;
    for (let r = this.slots[slot]! - 1; r >= 0; r = this.slots[slot]! - 1) {
      if (this.matches(r)) return false;
      slot = (slot + 1) & mask;
    }
    const r = this.count++;
    if (r >> PAGE_SHIFT === this.pages.length) this.pages.push(new Uint32Array(PAGE_RECORDS * WORDS));
    const page = this.pages[r >> PAGE_SHIFT]!;
    const base = (r & (PAGE_RECORDS - 1)) * WORDS;
    page.set(this.key, base);
    page[base + PACK] = pack;
    page[base + OFFSET] = offset;
    page[base + LENGTH] = length;
    page[base + RAW_LENGTH] = rawLength;
    page[base + FLAGS] = flags;
    this.slots[slot] = r + 1;
    if (this.count * 2 > this.slots.length) this.grow();
    return true;
  }

  /** Record `r`'s id, as 64 hex digits. */
  idOf(r: number): string {
    const page = this.pages[r >> PAGE_SHIFT]!;
    const base = (r & (PAGE_RECORDS - 1)) * WORDS;
    return Buffer.from(page.buffer, page.byteOffset + base * 4, ID_WORDS * 4).toString('hex');
  }

  /** Record `r`'s pack number. */
  packOf(r: number): number {
    return this.pages[r >> PAGE_SHIFT]![(r & (PAGE_RECORDS - 1)) * WORDS + PACK]!;
  }

  /** Record `r`'s fields. */
  record(r: number): BlobRecord {
    const page = this.pages[r >> PAGE_SHIFT]!;
    const base = (r & (PAGE_RECORDS - 1)) * WORDS;
    return { pack: page[base + PACK]!, offset: page[base + OFFSET]!, length: page[base + LENGTH]!, rawLength: page[base + RAW_LENGTH]!, flags: page[base + FLAGS]! };
  }

  /** Puts `id` into `key`; false if it is not 64 hex digits (write stops at the first pair that is not hex). */
  private load(id: string): boolean {
    return id.length === ID_WORDS * 8 && this.keyBytes.write(id, 'hex') === ID_WORDS * 4;
  }

  private matches(r: number): boolean {
    const page = this.pages[r >> PAGE_SHIFT]!;
    const base = (r & (PAGE_RECORDS - 1)) * WORDS;
    for (let i = 0; i < ID_WORDS; i++) if (page[base + i] !== this.key[i]) return false;
    return true;
  }

  /** MurmurHash3's 32-bit mix over the id's words, from the seed. */
  private hash(words: Uint32Array, base: number): number {
    let h = this.seed;
    for (let i = 0; i < ID_WORDS; i++) {
      let k = Math.imul(words[base + i]!, 0xcc9e2d51);
      k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
      h ^= k;
      h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let r = 0; r < this.count; r++) {
      const page = this.pages[r >> PAGE_SHIFT]!;
      let slot = this.hash(page, (r & (PAGE_RECORDS - 1)) * WORDS) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = r + 1;
    }
    this.slots = slots;
  }
}
