import { integrityError } from '../errors.ts';

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

/** The in-memory map from blob id to location, built from all index files of a backup. */
export class BlobIndex {
  private readonly blobs = new Map<string, BlobLocation>();
  readonly packs = new Map<string, PackInfo>();

  get(id: string): BlobLocation | undefined {
    return this.blobs.get(id);
  }
  has(id: string): boolean {
    return this.blobs.has(id);
  }
  get size(): number {
    return this.blobs.size;
  }
  entries(): IterableIterator<[string, BlobLocation]> {
    return this.blobs.entries();
  }

  addPack(pack: PackInfo, blobs: Iterable<[string, Omit<BlobLocation, 'pack'>]>): void {
    this.packs.set(pack.id, pack);
    for (const [id, loc] of blobs) {
      // A blob stored twice (concurrent or interrupted backups) is fine: keep the first copy.
      if (!this.blobs.has(id)) this.blobs.set(id, { ...loc, pack: pack.id });
    }
  }

  /** Blobs grouped by pack, for writing index files. */
  byPack(): Map<string, [string, BlobLocation][]> {
    const groups = new Map<string, [string, BlobLocation][]>();
    for (const pack of this.packs.keys()) groups.set(pack, []);
    for (const entry of this.blobs) groups.get(entry[1].pack)?.push(entry);
    return groups;
  }
}

export function encodeIndex(packs: { info: PackInfo; blobs: [string, BlobLocation][] }[]): Buffer {
  const doc: IndexDoc = {
    format: 1,
    packs: packs.map(({ info, blobs }) => ({
      id: info.id,
      size: info.size,
      length: info.length,
      blobs: blobs.map(([id, b]) => [id, b.type === 'meta' ? 1 : 0, b.offset, b.length, b.rawLength, b.compressed ? 1 : 0]),
    })),
  };
  return Buffer.from(JSON.stringify(doc));
}

/** Parses one decrypted index file into `index`, validating every field; with `only`, keeps just the blobs of that type. */
export function decodeIndexInto(index: BlobIndex, data: Buffer, what: string, only?: BlobType): void {
  let doc: IndexDoc;
  try {
    doc = JSON.parse(data.toString('utf8')) as IndexDoc;
  } catch {
    throw integrityError(`${what} is not valid JSON`);
  }
  if (doc?.format !== 1 || !Array.isArray(doc.packs)) throw integrityError(`${what} is malformed`);
  const isCount = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  for (const p of doc.packs) {
    if (!p || !HEX_ID.test(p.id) || !isCount(p.size) || !isCount(p.length) || !Array.isArray(p.blobs)) {
      throw integrityError(`${what} has a malformed pack entry`);
    }
    const blobs: [string, Omit<BlobLocation, 'pack'>][] = [];
    for (const b of p.blobs) {
      const [id, type, offset, length, rawLength, compressed] = b ?? [];
      if (typeof id !== 'string' || !HEX_ID.test(id) || !isCount(offset) || !isCount(length) || !isCount(rawLength) ||
        offset + length > p.length || (type !== 0 && type !== 1) || (compressed !== 0 && compressed !== 1)) {
        throw integrityError(`${what} has a malformed blob entry in pack ${p.id}`);
      }
      const kind: BlobType = type === 1 ? 'meta' : 'data';
      if (only && kind !== only) continue;
      blobs.push([id, { type: kind, offset, length, rawLength, compressed: compressed === 1 }]);
    }
    index.addPack({ id: p.id, size: p.size, length: p.length }, blobs);
  }
}
