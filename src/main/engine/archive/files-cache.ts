import { isDvomError } from '../errors.ts';
import type { BlobIndex } from '../repo/blob-index.ts';
import { comparePaths } from '../tree/path-order.ts';
import type { TreeEntry } from '../tree/tree-entry.ts';

/** Every cached file is read again at least once in this many backups (bit rot, mtime put back). */
export const REREAD_EVERY = 16;

/** What a previous version says about where the files cache may be trusted. */
export interface CacheBasis {
  /** The previous version's entries, in source order. */
  entries: AsyncIterable<TreeEntry>;
  /** Files with an mtime at or after this may have changed within their timestamp's granularity: always read. */
  horizonMs: number;
  /** The previous version's re-read slot; this backup re-reads slot + 1. */
  rereadSlot: number;
}

/** FNV-1a over the path: a stable spread of files over the re-read slots. */
export function rereadSlotOf(path: Buffer): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path[i]!, 0x01000193);
  return (h >>> 0) % REREAD_EVERY;
}

/**
 * The files cache: a file whose path, type, size, mtime, mode and owner (and,
 * for folders, ctime and inode) match the previous version, and whose chunks
 * are all still indexed, reuses that version's chunk list without being read.
 * The previous tree is walked alongside the source in the same order, so the
 * cache costs no memory beyond one tree part and needs no file of its own.
 */
export class FilesCache {
  private readonly prev: AsyncIterator<TreeEntry>;
  private readonly horizonMs: number;
  private readonly index: BlobIndex;
  readonly slot: number;
  private current: TreeEntry | undefined;
  private done = false;
  private started = false;
  hits = 0;

  constructor(basis: CacheBasis, index: BlobIndex) {
    this.prev = basis.entries[Symbol.asyncIterator]();
    this.horizonMs = basis.horizonMs;
    this.index = index;
    this.slot = (basis.rereadSlot + 1) % REREAD_EVERY;
  }

  /** The previous entry to reuse for `entry` (a file about to be read), or undefined to read it. */
  async lookup(entry: TreeEntry): Promise<TreeEntry | undefined> {
    const prev = await this.seek(entry.path);
    if (!prev || !sameFile(prev, entry)) return undefined;
    if (!(prev.mtimeMs < this.horizonMs)) return undefined;
    if (rereadSlotOf(entry.path) === this.slot) return undefined;
    if (!prev.chunks!.every((id) => this.index.has(id))) return undefined;
    this.hits++;
    return prev;
  }

  /** Advances the previous tree to `path`; undefined when it has no such entry. */
  private async seek(path: Buffer): Promise<TreeEntry | undefined> {
    if (!this.started) {
      this.started = true;
      await this.next();
    }
    while (this.current && comparePaths(this.current.path, path) < 0) await this.next();
    return this.current && this.current.path.equals(path) ? this.current : undefined;
  }

  private async next(): Promise<void> {
    if (this.done) return;
    try {
      const r = await this.prev.next();
      this.current = r.done ? undefined : r.value;
      this.done = !!r.done;
    } catch (err) {
      // A damaged previous version only costs the cache: the rest of the files are read.
      if (!isDvomError(err, 'INTEGRITY')) throw err;
      this.current = undefined;
      this.done = true;
    }
  }

  async close(): Promise<void> {
    if (!this.done) await this.prev.return?.(undefined);
  }
}

function sameFile(prev: TreeEntry, cur: TreeEntry): boolean {
  return (
    prev.type === 'file' && cur.type === 'file' && prev.size === cur.size && prev.mtimeMs === cur.mtimeMs &&
    prev.mode === cur.mode && prev.uid === cur.uid && prev.gid === cur.gid &&
    prev.ctimeNs === cur.ctimeNs && prev.inode === cur.inode && prev.chunks !== undefined && prev.sha256 !== undefined
  );
}

/**
 * The racy-timestamp horizon a version records (as git and borg do): files
 * modified at or after it may change again within their mtime's resolution
 * unnoticed, so the next backup reads them whatever their metadata says.
 */
export function cacheHorizon(newestMtimeMs: number, sourceClockAtStartMs: number): number {
  return Math.min(newestMtimeMs, sourceClockAtStartMs - 2000); // no files: newest is -Infinity, and nothing to cache
}
