import { createHash } from 'node:crypto';
import { DvomError, throwIfAborted } from '../errors.ts';
import type { BlobWriter } from '../repo/blob-writer.ts';
import { normalizeEntryPath } from '../tree/entry-path.ts';
import type { SourceEntry, TreeEntry } from '../tree/tree-entry.ts';
import { displayPath } from '../tree/tree-entry.ts';
import { TreeWriter } from '../tree/tree-io.ts';
import { cacheHorizon, type FilesCache } from './files-cache.ts';
import type { ProgressMeter } from './progress-meter.ts';
import type { ChunkedBlock, ContentStreams } from './content-streams.ts';
import { BATCHES_IN_FLIGHT, FileBatches, type BatchSlot, type FileContent } from './file-batches.ts';

export interface ArchiveResult {
  root: string;
  files: number;
  dirs: number;
  links: number;
  bytes: number;
  /** Files the files cache took from the previous version without reading them. */
  cachedFiles: number;
  /** For the next backup's files cache. */
  horizonMs: number;
  rereadSlot: number;
}

export interface ArchiveOptions {
  meter: ProgressMeter;
  signal?: AbortSignal;
  sourcePath?: string;
  /** The previous version's files, when one can be trusted for this source. */
  cache?: FilesCache;
  /** The source's clock (the Docker daemon's for volumes) when the backup started. */
  sourceClockMs: number;
  /** Where files are read (hashed, chunked, named; small ones also compressed): the engine threads. */
  content: ContentStreams;
}

/**
 * Files from this size on are chunked on an engine thread as a stream of
 * blocks; smaller ones (and any the source reads in one piece) go there
 * whole, in batches (file-batches.ts).
 */
const THREAD_MIN_SIZE = 1024 * 1024;
/** Bytes per block handed to the thread, and blocks on their way at once (reading stays ahead of chunking). */
const BLOCK_SIZE = 1024 * 1024;
const BLOCKS_IN_FLIGHT = 4;

/**
 * Turns a stream of entries (from a volume's tar stream or a host folder) into
 * chunks and tree records. Chunks are deduplicated and stored by the
 * BlobWriter; nothing becomes visible until the caller writes the version.
 */
export async function archive(
  source: AsyncIterable<SourceEntry>,
  writer: BlobWriter,
  options: ArchiveOptions,
): Promise<ArchiveResult> {
  const tree = new TreeWriter(writer);
  const result = { files: 0, dirs: 0, links: 0, bytes: 0, cachedFiles: 0 };
  const { meter, signal, cache } = options;
  const batches = new FileBatches(options.content, writer);
  /** Entries in source order, waiting for their file's batch to be stored before they go into the tree. */
  const queue: Queued[] = [];
  const finish = async ({ entry, content, cached }: Queued) => {
    if (content) {
      const done = 'batch' in content ? await batches.content(content) : content;
      entry.size = done.size;
      entry.sha256 = done.sha256;
      entry.chunks = done.chunks;
      result.files++;
      result.bytes += done.size;
      if (cached) result.cachedFiles++;
      const counted = cached || 'batch' in content ? done.size : 0; // streams count as they go
      meter.update({
        filesDone: meter.state.filesDone + 1,
        bytesDone: meter.state.bytesDone + counted,
        bytesNew: writer.addedBytes,
        bytesStored: writer.storedBytes,
        current: displayPath(entry.path),
      });
    }
    await tree.add(entry);
  };
  /** Puts what is ready into the tree; waits on the oldest batch only when too much is on its way. */
  const drain = async (all: boolean) => {
    while (queue.length) {
      const { content } = queue[0]!;
      const waiting = content && 'batch' in content && !batches.ready(content);
      if (waiting && !all && batches.inFlight < BATCHES_IN_FLIGHT && queue.length < MAX_QUEUED) return;
      await finish(queue.shift()!);
    }
  };
  let newestMtime = -Infinity;
  try {
    for await (const item of source) {
      throwIfAborted(signal);
      const { header } = item;
      const what = `entry '${displayPath(header.path)}'`;
      const path = normalizeEntryPath(header.path, what);
      const entry: TreeEntry = { ...header, path };
      if (header.linkTarget && header.type === 'hardlink') {
        entry.linkTarget = normalizeEntryPath(header.linkTarget, `hard link target of ${what}`);
      }
      if (header.type === 'file') {
        if (item.identity) {
          entry.ctimeNs = item.identity.ctimeNs;
          entry.inode = item.identity.inode;
        }
        if (header.mtimeMs > newestMtime) newestMtime = header.mtimeMs;
        const cached = cache && (await cache.lookup(entry));
        // A cached file's unread body (a tar stream) is skipped by the reader when the next entry is asked for.
        if (cached) queue.push({ entry, content: cached as FileContent, cached: true });
        else if (item.readAll || header.size < THREAD_MIN_SIZE) {
          const data = item.readAll ? item.readAll() : await readBody(item.body, header.size, what);
          queue.push({ entry, content: batches.add(data), cached: false });
        } else {
          // Small files before it are packed first: packs then follow the tree, which a restore reads in order.
          await drain(true);
          const content = await storeStreamOnThread(item.body, writer, options.content, meter, signal);
          queue.push({ entry, content, cached: false });
        }
      } else {
        entry.size = 0;
        if (item.body) for await (const _ of item.body) void _; // tar bodies of non-files are empty; drain defensively
        if (header.type === 'dir') result.dirs++;
        else if (header.type === 'symlink' || header.type === 'hardlink') result.links++;
        queue.push({ entry, cached: false });
      }
      await drain(false);
    }
    await drain(true);
  } finally {
    await cache?.close();
  }
  // The root holds nothing that changes from run to run, so an unchanged source stores no new tree at all.
  const root = await tree.finish(options.sourcePath ? { sourcePath: options.sourcePath } : {});
  const horizon = cacheHorizon(newestMtime, options.sourceClockMs);
  return { root, ...result, horizonMs: Number.isFinite(horizon) ? horizon : options.sourceClockMs, rereadSlot: cache?.slot ?? 0 };
}

interface Queued {
  entry: TreeEntry;
  /** Files only: known, or where its batch will have it. */
  content?: FileContent | BatchSlot;
  cached: boolean;
}

/** Entries waiting at most (with their small files' content) before the oldest batch is waited for. */
const MAX_QUEUED = 4096;

/** A small file's stream (a tar entry's body) read into memory of its own. */
async function readBody(body: AsyncIterable<Buffer> | undefined, size: number, what: string): Promise<Buffer> {
  const data = Buffer.allocUnsafeSlow(size);
  let filled = 0;
  if (body) {
    for await (const piece of body) {
      if (filled + piece.length > size) throw new DvomError('ERROR', `${what} is longer than its header says (${size} bytes)`);
      data.set(piece, filled);
      filled += piece.length;
    }
  }
  return filled === size ? data : data.subarray(0, filled);
}

/**
 * A large file's content, chunked on an engine thread: the file is read here
 * in blocks of their own memory (moved to the thread, not copied), a few
 * ahead. Each block's chunks are stored as soon as they come back, in order,
 * also while the source stalls (a tar stream waiting on a busy daemon).
 */
async function storeStreamOnThread(
  body: AsyncIterable<Buffer> | undefined,
  writer: BlobWriter,
  streams: ContentStreams,
  meter: ProgressMeter,
  signal: AbortSignal | undefined,
): Promise<FileContent> {
  const stream = streams.open();
  const chunks: string[] = [];
  const hash = createHash('sha256');
  let size = 0;
  let block = Buffer.allocUnsafeSlow(BLOCK_SIZE);
  let filled = 0;
  const storeChunks = async ({ chunks: done }: ChunkedBlock) => {
    for (const chunk of done) {
      const data = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
      chunks.push(await writer.add('data', data, chunk.id, true)); // moved here: the writer may free it
    }
  };
  /** Resolves once every block sent so far is stored; one link per block still on its way. */
  let stored: Promise<void> = Promise.resolve();
  const links: Promise<void>[] = [];
  const send = (end: boolean) => {
    const sent = stream.push(end ? block.subarray(0, filled) : block, end);
    sent.catch(() => undefined); // not awaited at all once an earlier block failed
    stored = stored.then(() => sent).then(storeChunks);
    stored.catch(() => undefined); // thrown where it is awaited
    links.push(stored);
    if (!end) block = Buffer.allocUnsafeSlow(BLOCK_SIZE);
    filled = 0;
  };
  try {
    if (body) {
      for await (const data of body) {
        throwIfAborted(signal);
        hash.update(data);
        for (let pos = 0; pos < data.length; ) {
          const n = Math.min(BLOCK_SIZE - filled, data.length - pos);
          data.copy(block, filled, pos, pos + n);
          filled += n;
          pos += n;
          if (filled === BLOCK_SIZE) send(false);
          if (links.length >= BLOCKS_IN_FLIGHT) await links.shift();
        }
        size += data.length;
        meter.update({ bytesDone: meter.state.bytesDone + data.length, bytesNew: writer.addedBytes, bytesStored: writer.storedBytes });
      }
    }
    send(true);
    await stored;
  } finally {
    stream.discard(); // a no-op once the last block was sent
  }
  return { size, sha256: hash.digest('hex'), chunks };
}
