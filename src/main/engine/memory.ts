import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Buffers live outside V8's heap, and V8 collects them only after about 64 MiB
 * more of them were allocated since its last collection: a stream of short-
 * lived buffers (segments, chunks, blocks, small files) keeps that much dead
 * memory around, on every thread. So every RECLAIM_BYTES of data a full
 * collection runs (a few milliseconds on the small heaps here): memory stays
 * flat.
 *
 * The young generation would grow to tens of MiB of mostly dead objects under
 * this stream (V8 sizes it from the machine's memory); it stays at its initial
 * size instead. Buffers then outlive it quickly, so young-generation
 * collections alone no longer free them: measured on 513 MiB, a full one every
 * 4 MiB keeps a backup 30 MiB lower than one every 16 MiB, for some 10-15 %
 * more CPU time (a restore up to 18 %); every 8 MiB takes about half that time
 * for some 10 MiB more: speed is the harder target, so 8.
 */
const RECLAIM_BYTES = 8 * 1024 * 1024;

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

function loadGc(): Gc | undefined {
  try {
    // These take effect when set at run time (unlike --max-semi-space-size).
    setFlagsFromString('--semi-space-growth-factor=1');
    // Full collections run whole, not in increments between tasks. Incrementally, V8 sometimes fell
    // into starting a marking every 30 ms or so while a volume's tar stream was read (some 40
    // collections for 513 MiB where other runs of the same backup had 2), the marking spread over
    // background threads the Docker engine needs: an unchanged volume re-backup took 2.2-2.5 s
    // instead of 2.0-2.2 s. Whole collections of these small heaps take a few milliseconds; a
    // backup of many small files peaks some 10 MiB higher, times elsewhere are unchanged or lower.
    setFlagsFromString('--no-incremental-marking');
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as Gc;
  } catch {
    return undefined;
  }
}
const gc = loadGc();

let sinceLast = 0;

/** Counts bytes handled on this thread; now and then collects the buffers that died meanwhile. */
export function reclaimAfter(bytes: number): void {
  sinceLast += bytes;
  if (sinceLast < RECLAIM_BYTES || !gc) return;
  sinceLast = 0;
  gc({ type: 'major' });
}

/**
 * Frees a buffer's memory now rather than at some later collection. Only for
 * memory nothing else can reach: the caller made it, or was handed it for
 * good (moved from a thread, returned by zstd or a cipher). Node serves
 * buffers shorter than half its pool from shared slabs: those are left to the
 * collector.
 */
export function release(buf: Uint8Array): void {
  if (buf.byteLength < Buffer.poolSize >>> 1 || !(buf.buffer instanceof ArrayBuffer)) return;
  releaseMemory(buf.buffer);
}

/** Frees all of `memory` now (every view of it reads as empty from here on); the caller must know nothing uses it. */
export function releaseMemory(memory: ArrayBuffer): void {
  if (!memory.detached) memory.transfer(0);
}

/**
 * `view` as bytes of their own, copied only when it is part of a larger
 * buffer: moving a view to another thread moves (and detaches) all of the
 * memory it is cut from, and Node's shared pool must never be moved at all.
 */
export function movable(view: Uint8Array): Uint8Array {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view;
  const copy = Buffer.allocUnsafeSlow(view.byteLength); // never from the pool
  copy.set(view);
  return copy;
}

/**
 * `view` ready to move when nothing else will use the memory it is cut from
 * (a decoder's own output): all of that memory moves with it instead of a
 * copy. A short view may be cut from Node's shared pool, which must never
 * move: it is copied (as release() leaves such views alone).
 */
export function movableSole(view: Uint8Array): Uint8Array {
  return view.buffer instanceof ArrayBuffer && view.byteLength >= Buffer.poolSize >>> 1 ? view : movable(view);
}

/** Memory a reader handed out as the only view of it (see markOwned). */
const owned = new WeakSet<ArrayBufferLike>();

/**
 * Marks `buf` as the only view of its memory (moved from a thread, or a
 * decoder's own output): whoever ends up with it may free it through
 * releaseOwned once done. Views into shared memory are never marked.
 */
export function markOwned<T extends Uint8Array>(buf: T): T {
  // A short one may be cut from Node's shared pool, which is never freed (see release).
  if (buf.byteLength >= Buffer.poolSize >>> 1) owned.add(buf.buffer);
  return buf;
}

/** Frees `buf` when it was marked as owned; returns whether it was. */
export function releaseOwned(buf: Uint8Array): boolean {
  if (!owned.has(buf.buffer)) return false;
  release(buf);
  return true;
}

/** Whether `buf` may be freed by releaseOwned (whoever keeps it must copy it). */
export function isOwned(buf: Uint8Array): boolean {
  return owned.has(buf.buffer);
}

/**
 * A stream that frees each owned chunk written to it (releaseOwned) once it
 * is truly done with it, as an upload is once its socket wrote the chunk: a
 * writer may then hand it owned chunks without counting them for collection.
 */
export interface FreesOwnedChunks {
  readonly freesOwnedChunks: true;
}

export function freesOwnedChunks(out: object): boolean {
  return (out as Partial<FreesOwnedChunks>).freesOwnedChunks === true;
}
