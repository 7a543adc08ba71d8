import { createHash } from 'node:crypto';
import { throwIfAborted } from '../errors.ts';
import { FastCdcChunker } from '../chunker/fastcdc.ts';
import type { BlobWriter } from '../repo/blob-writer.ts';
import { normalizeEntryPath } from '../tree/entry-path.ts';
import type { SourceEntry, TreeEntry } from '../tree/tree-entry.ts';
import { displayPath } from '../tree/tree-entry.ts';
import { TreeWriter } from '../tree/tree-io.ts';
import type { ProgressMeter } from './progress-meter.ts';

export interface ArchiveResult {
  root: string;
  files: number;
  dirs: number;
  links: number;
  bytes: number;
}

export interface ArchiveOptions {
  meter: ProgressMeter;
  signal?: AbortSignal;
  sourcePath?: string;
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
  const result = { files: 0, dirs: 0, links: 0, bytes: 0 };
  const { meter, signal } = options;
  for await (const { header, body } of source) {
    throwIfAborted(signal);
    const what = `entry '${displayPath(header.path)}'`;
    const path = normalizeEntryPath(header.path, what);
    const entry: TreeEntry = { ...header, path };
    if (header.linkTarget && header.type === 'hardlink') {
      entry.linkTarget = normalizeEntryPath(header.linkTarget, `hard link target of ${what}`);
    }
    if (header.type === 'file') {
      const content = await storeContent(body, writer, chunker, meter, signal);
      entry.size = content.size;
      entry.sha256 = content.sha256;
      entry.chunks = content.chunks;
      result.files++;
      result.bytes += content.size;
      meter.update({ filesDone: meter.state.filesDone + 1, current: displayPath(path) });
    } else {
      entry.size = 0;
      if (body) for await (const _ of body) void _; // tar bodies of non-files are empty; drain defensively
      if (header.type === 'dir') result.dirs++;
      else if (header.type === 'symlink' || header.type === 'hardlink') result.links++;
    }
    await tree.add(entry);
  }
  const root = await tree.finish(options.sourcePath ? { sourcePath: options.sourcePath } : {});
  return { root, ...result };
}

async function storeContent(
  body: AsyncIterable<Buffer> | undefined,
  writer: BlobWriter,
  chunker: FastCdcChunker,
  meter: ProgressMeter,
  signal: AbortSignal | undefined,
): Promise<{ size: number; sha256: string; chunks: string[] }> {
  const hash = createHash('sha256');
  const chunks: string[] = [];
  let size = 0;
  const addChunk = async (chunk: Buffer) => {
    chunks.push(await writer.add('data', chunk));
    meter.update({ bytesNew: writer.addedBytes, bytesStored: writer.storedBytes });
  };
  if (body) {
    for await (const data of body) {
      throwIfAborted(signal);
      hash.update(data);
      size += data.length;
      for (const chunk of chunker.push(data)) await addChunk(chunk);
      meter.update({ bytesDone: meter.state.bytesDone + data.length });
    }
  }
  const last = chunker.finish();
  if (last) await addChunk(last);
  return { size, sha256: hash.digest('hex'), chunks };
}
