import { createHash } from 'node:crypto';
import { throwIfAborted } from '../errors.ts';
import type { FastCdcChunker } from '../chunker/fastcdc.ts';
import type { BlobWriter } from '../repo/blob-writer.ts';
import { normalizeEntryPath } from '../tree/entry-path.ts';
import type { SourceEntry, TreeEntry } from '../tree/tree-entry.ts';
import { displayPath } from '../tree/tree-entry.ts';
import { TreeWriter } from '../tree/tree-io.ts';
import { cacheHorizon, type FilesCache } from './files-cache.ts';
import type { ProgressMeter } from './progress-meter.ts';

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
}

interface Content {
  size: number;
  sha256: string;
  chunks: string[];
}

/**
 * Turns a stream of entries (from a volume's tar stream or a host folder) into
 * chunks and tree records. Chunks are deduplicated and stored by the
 * BlobWriter; nothing becomes visible until the caller writes the version.
 */
export async function archive(
  source: AsyncIterable<SourceEntry>,
  writer: BlobWriter,
  chunker: FastCdcChunker,
  options: ArchiveOptions,
): Promise<ArchiveResult> {
  const tree = new TreeWriter(writer);
  const result = { files: 0, dirs: 0, links: 0, bytes: 0, cachedFiles: 0 };
  const { meter, signal, cache } = options;
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
        const content = cached
          ? (cached as Content)
          : item.readAll
            ? await storeWhole(item.readAll(), writer, chunker)
            : await storeStream(item.body, writer, chunker, meter, signal);
        entry.size = content.size;
        entry.sha256 = content.sha256;
        entry.chunks = content.chunks;
        result.files++;
        result.bytes += content.size;
        if (cached) result.cachedFiles++;
        const counted = cached || item.readAll ? content.size : 0; // streams count as they go
        meter.update({
          filesDone: meter.state.filesDone + 1,
          bytesDone: meter.state.bytesDone + counted,
          bytesNew: writer.addedBytes,
          bytesStored: writer.storedBytes,
          current: displayPath(path),
        });
      } else {
        entry.size = 0;
        if (item.body) for await (const _ of item.body) void _; // tar bodies of non-files are empty; drain defensively
        if (header.type === 'dir') result.dirs++;
        else if (header.type === 'symlink' || header.type === 'hardlink') result.links++;
      }
      await tree.add(entry);
    }
  } finally {
    await cache?.close();
  }
  // The root holds nothing that changes from run to run, so an unchanged source stores no new tree at all.
  const root = await tree.finish(options.sourcePath ? { sourcePath: options.sourcePath } : {});
  const horizon = cacheHorizon(newestMtime, options.sourceClockMs);
  return { root, ...result, horizonMs: Number.isFinite(horizon) ? horizon : options.sourceClockMs, rereadSlot: cache?.slot ?? 0 };
}

/** A file read in one piece: one hash call, and no chunker at all when it is smaller than a chunk. */
async function storeWhole(data: Buffer, writer: BlobWriter, chunker: FastCdcChunker): Promise<Content> {
  const sha256 = createHash('sha256').update(data).digest('hex');
  const pieces = data.length <= chunker.params.minSize ? (data.length ? [data] : []) : [...chunker.push(data), chunker.finish()];
  const chunks: string[] = [];
  for (const piece of pieces) if (piece) chunks.push(await writer.add('data', piece));
  return { size: data.length, sha256, chunks };
}

async function storeStream(
  body: AsyncIterable<Buffer> | undefined,
  writer: BlobWriter,
  chunker: FastCdcChunker,
  meter: ProgressMeter,
  signal: AbortSignal | undefined,
): Promise<Content> {
  const hash = createHash('sha256');
  const chunks: string[] = [];
  let size = 0;
  if (body) {
    for await (const data of body) {
      throwIfAborted(signal);
      hash.update(data);
      size += data.length;
      for (const chunk of chunker.push(data)) chunks.push(await writer.add('data', chunk));
      meter.update({ bytesDone: meter.state.bytesDone + data.length, bytesNew: writer.addedBytes, bytesStored: writer.storedBytes });
    }
  }
  const last = chunker.finish();
  if (last) chunks.push(await writer.add('data', last));
  return { size, sha256: hash.digest('hex'), chunks };
}
