import { integrityError } from '../errors.ts';
import { BlobTable, MAX_FIELD } from './blob-table.ts';
import { scanIndex } from './index-scan.ts';

export type BlobType = 'data' | 'meta';

/** Where one blob lives: a byte range of a pack's payload. */
export interface BlobLocation {
  pack: string;
  type: BlobType;
  offset: number;
  /** Bytes stored (compressed or not). */
  length: number;
  /** Bytes of the blob's plaintext. */
  rawLength: number;
  compressed: boolean;
}

export interface PackInfo {
  id: string;
  /** Size of the stored object. */
  size: number;
  /** Payload bytes (sum of its blobs). */
  length: number;
}

/** Serialized form of one index file: the blobs of a set of packs. */
interface IndexDoc {
  format: 1;
  packs: { id: string; size: number; length: number; blobs: [string, 0 | 1, number, number, number, 0 | 1][] }[];
}

const HEX_ID = /^[0-9a-f]{64}$/;

/** Record flags (blob-table.ts): the blob's type and whether it is compressed. */
const META = 1;
const COMPRESSED = 2;

/** The in-memory map from blob id to location, built from all index files of a backup. */
export class BlobIndex {
  private readonly table = new BlobTable();
  readonly packs = new Map<string, PackInfo>();
  /** Pack ids by the number records hold, and the reverse. */
  private readonly packIds: string[] = [];
  private readonly packNumbers = new Map<string, number>();

  get(id: string): BlobLocation | undefined {
    const r = this.table.find(id);
    return r < 0 ? undefined : this.location(r);
  }
  has(id: string): boolean {
    return this.table.find(id) >= 0;
  }
  get size(): number {
    return this.table.size;
  }
  /** Every blob, in the order added; each location is made on the way (the index holds none). */
  *entries(): IterableIterator<[string, BlobLocation]> {
    for (let r = 0; r < this.table.size; r++) yield [this.table.idOf(r), this.location(r)];
  }

  addPack(pack: PackInfo, blobs: Iterable<[string, Omit<BlobLocation, 'pack'>]>): void {
    const n = this.addPackInfo(pack);
    // A blob stored twice (concurrent or interrupted backups) is fine: keep the first copy.
    for (const [id, loc] of blobs) this.addBlob(n, id, loc.type, loc.offset, loc.length, loc.rawLength, loc.compressed);
  }

  /** Registers a stored pack (again: its info is replaced) and returns the number its blobs are added under. */
  addPackInfo(pack: PackInfo): number {
    this.packs.set(pack.id, pack);
    return this.packNumber(pack.id);
  }

  /**
   * The number blobs of pack `id` are added under. Blobs of a pack not yet
   * registered (still being stored) are indexed, but left out of byPack().
   */
  packNumber(id: string): number {
    let n = this.packNumbers.get(id);
    if (n === undefined) {
      n = this.packIds.push(id) - 1;
      this.packNumbers.set(id, n);
    }
    return n;
  }

  /** Adds one blob of pack number `pack` unless its id (hex, or its bytes) is indexed already. */
  addBlob(pack: number, id: string | Uint8Array, type: BlobType, offset: number, length: number, rawLength: number, compressed: boolean): void {
    this.table.add(id, pack, offset, length, rawLength, (type === 'meta' ? META : 0) | (compressed ? COMPRESSED : 0));
  }

  /**
   * The blobs of pack number `pack` among the records added from `from` up
   * to now (a writer's pack: see BlobWriter), in the order added. Iterable again.
   */
  blobsOf(pack: number, from: number): Iterable<[string, BlobLocation]> {
    const end = this.table.size;
    const table = this.table;
    const location = (r: number) => this.location(r);
    return {
      *[Symbol.iterator]() {
        for (let r = from; r < end; r++) if (table.packOf(r) === pack) yield [table.idOf(r), location(r)];
      },
    };
  }

  /** Blobs grouped by pack, for writing index files. */
  byPack(): Map<string, [string, BlobLocation][]> {
    const groups = new Map<string, [string, BlobLocation][]>();
    for (const pack of this.packs.keys()) groups.set(pack, []);
    for (const entry of this.entries()) groups.get(entry[1].pack)?.push(entry);
    return groups;
  }

  private location(r: number): BlobLocation {
    const { pack, offset, length, rawLength, flags } = this.table.record(r);
    return { pack: this.packIds[pack]!, type: flags & META ? 'meta' : 'data', offset, length, rawLength, compressed: (flags & COMPRESSED) !== 0 };
  }
}

/** encodeIndex hands on its text in pieces of about this size. */
const PIECE_SIZE = 1024 * 1024;

/** ASCII text appended straight into memory of its own, so no long string is built up (and kept) in the heap. */
class TextPiece {
  private buf = Buffer.allocUnsafeSlow(4096);
  private length = 0;

  add(text: string): void {
    if (this.length + text.length > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + text.length));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    this.length += this.buf.write(text, this.length, 'latin1');
  }

  get size(): number {
    return this.length;
  }

  take(): Buffer {
    const out = this.buf.subarray(0, this.length);
    this.buf = Buffer.allocUnsafeSlow(4096);
    this.length = 0;
    return out;
  }
}

/**
 * An index file for `packs`, in pieces of about PIECE_SIZE: an index of
 * millions of blobs is never all in memory as text at once. Laid out as
 * JSON.stringify would write the IndexDoc (scanIndex reads exactly this layout).
 */
export function* encodeIndex(packs: Iterable<{ info: PackInfo; blobs: Iterable<[string, BlobLocation]> }>): Generator<Buffer> {
  const piece = new TextPiece();
  piece.add('{"format":1,"packs":[');
  let first = true;
  for (const { info, blobs } of packs) {
    if (!HEX_ID.test(info.id)) throw new TypeError(`not a pack id: ${info.id.slice(0, 70)}`);
    piece.add(`${first ? '' : ','}{"id":"${info.id}","size":${info.size},"length":${info.length},"blobs":[`);
    first = false;
    let firstBlob = true;
    for (const [id, b] of blobs) {
      if (!HEX_ID.test(id)) throw new TypeError(`not a blob id: ${id.slice(0, 70)}`);
      piece.add(`${firstBlob ? '' : ','}["${id}",${b.type === 'meta' ? 1 : 0},${b.offset},${b.length},${b.rawLength},${b.compressed ? 1 : 0}]`);
      firstBlob = false;
      if (piece.size >= PIECE_SIZE) yield piece.take();
    }
    piece.add(']}');
  }
  piece.add(']}');
  yield piece.take();
}

/** Parses one decrypted index file into `index`, validating every field; with `only`, keeps just the blobs of that type. */
export function decodeIndexInto(index: BlobIndex, data: Buffer, what: string, only?: BlobType): void {
  if (scanIndex(index, data, only)) return; // as encodeIndex writes them: without parsing
  let doc: IndexDoc;
  try {
    doc = JSON.parse(data.toString('utf8')) as IndexDoc;
  } catch {
    throw integrityError(`${what} is not valid JSON`);
  }
  if (doc?.format !== 1 || !Array.isArray(doc.packs)) throw integrityError(`${what} is malformed`);
  const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  // No blob or pack DVOM writes comes near 4 GiB: a field beyond what the table holds is damage.
  const isField = (n: unknown) => isCount(n) && (n as number) <= MAX_FIELD;
  for (const p of doc.packs) {
    if (!p || !HEX_ID.test(p.id) || !isCount(p.size) || !isCount(p.length) || !Array.isArray(p.blobs)) {
      throw integrityError(`${what} has a malformed pack entry`);
    }
    const n = index.addPackInfo({ id: p.id, size: p.size, length: p.length });
    for (const b of p.blobs) {
      const [id, type, offset, length, rawLength, compressed] = b ?? [];
      if (typeof id !== 'string' || !HEX_ID.test(id) || !isField(offset) || !isField(length) || !isField(rawLength) ||
        offset + length > p.length || (type !== 0 && type !== 1) || (compressed !== 0 && compressed !== 1)) {
        throw integrityError(`${what} has a malformed blob entry in pack ${p.id}`);
      }
      const kind: BlobType = type === 1 ? 'meta' : 'data';
      if (only && kind !== only) continue;
      index.addBlob(n, id, kind, offset, length, rawLength, compressed === 1);
    }
  }
}
