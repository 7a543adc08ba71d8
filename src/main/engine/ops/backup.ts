import type { ProgressListener } from '../../../shared/progress.ts';
import { archive } from '../archive/archiver.ts';
import { ProgressMeter } from '../archive/progress-meter.ts';
import type { BlobWriterOptions } from '../repo/blob-writer.ts';
import type { Repository } from '../repo/repository.ts';
import type { VersionSummary } from '../repo/version-file.ts';
import type { SourceEntry } from '../tree/tree-entry.ts';

export interface BackupOptions {
  sourceKind: VersionSummary['sourceKind'];
  volumes?: string[];
  /** Host folder of a path backup; stored encrypted. */
  sourcePath?: string;
  /** Expected content bytes, for progress (optional). */
  bytesTotal?: number;
  filesTotal?: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  writer?: BlobWriterOptions;
}

/**
 * Adds a version. Chunks and tree go to new packs, then an index of those
 * packs, and only then the version file: a backup interrupted at any point
 * leaves no version, only unreferenced packs that `prune` removes.
 */
export async function backup(repo: Repository, source: AsyncIterable<SourceEntry>, options: BackupOptions): Promise<VersionSummary> {
  return repo.locked('backup', true, async () => {
    const started = new Date();
    const meter = new ProgressMeter(options.onProgress, 'preparing');
    const { index } = await repo.loadIndex();
    const writer = repo.blobWriter(index, options.writer);
    meter.update({ phase: 'backing-up', bytesTotal: options.bytesTotal, filesTotal: options.filesTotal }, true);
    try {
      const result = await archive(source, writer, repo.newChunker(), {
        meter,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.sourcePath ? { sourcePath: options.sourcePath } : {}),
      });
      meter.phase('finalizing');
      const packs = await writer.flush();
      const indexBytes = await repo.writeIndex(packs);
      const version = await repo.commitVersion({
        createdAt: started,
        sourceKind: options.sourceKind,
        volumes: options.volumes ?? [],
        root: result.root,
        stats: {
          files: result.files,
          dirs: result.dirs,
          links: result.links,
          bytes: result.bytes,
          addedBytes: writer.addedBytes,
          addedStoredBytes: writer.storedBytes + indexBytes,
          durationMs: Date.now() - started.getTime(),
        },
      });
      meter.update({ phase: 'done', bytesNew: writer.addedBytes, bytesStored: writer.storedBytes + indexBytes }, true);
      return version;
    } catch (err) {
      await writer.abort(err);
      throw err;
    }
  });
}
