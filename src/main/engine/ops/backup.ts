import type { ProgressListener } from '../../../shared/progress.ts';
import { archive } from '../archive/archiver.ts';
import { isDvomError } from '../errors.ts';
import { FilesCache } from '../archive/files-cache.ts';
import { ContentStreams } from '../archive/content-streams.ts';
import { ProgressMeter } from '../archive/progress-meter.ts';
import type { BlobIndex } from '../repo/blob-index.ts';
import type { BlobWriterOptions } from '../repo/blob-writer.ts';
import type { Repository } from '../repo/repository.ts';
import { checkExclusionsFit, isRecordableEngine, type OpenedVersion, type VersionEngine, type VersionOrigin, type VersionSummary } from '../repo/version-file.ts';
import type { SourceEntry } from '../tree/tree-entry.ts';
import { readTree, readTreeRoot } from '../tree/tree-io.ts';

export interface BackupOptions {
  sourceKind: VersionSummary['sourceKind'];
  volumes?: string[];
  /** Host folder of a path backup; stored encrypted. */
  sourcePath?: string;
  /** Expected content bytes, for progress (optional). */
  bytesTotal?: number;
  filesTotal?: number;
  /**
   * Counts the source for progress totals when none are given (undefined:
   * it cannot tell). Called only for a first backup someone watches: later
   * ones take the previous version's figures, which spares a second walk of
   * every file.
   */
  countSource?: () => Promise<{ bytes: number; files?: number } | undefined>;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  writer?: BlobWriterOptions;
  /** The source's clock at the start (the Docker daemon's for volumes); defaults to this machine's. */
  sourceClockMs?: number;
  /** Read every file, trusting nothing from the previous version (--force-read). */
  forceRead?: boolean;
  /** The --exclude patterns the source was filtered with, recorded (encrypted) in the version. */
  exclusions?: string[];
  /** The Docker engine the volumes are read from, recorded in the version's private part (longer ones than it bounds are left out). */
  engine?: VersionEngine;
  /** What started this backup, recorded (encrypted) in the version. */
  origin?: VersionOrigin;
}

/**
 * Adds a version. Chunks and tree go to new packs, then an index of those
 * packs, and only then the version file: a backup interrupted at any point
 * leaves no version. A failed or cancelled one deletes the packs it stored
 * before its index was written (no index names them, so nothing else uses
 * them); a crash leaves them for `prune`.
 */
export async function backup(repo: Repository, source: AsyncIterable<SourceEntry>, options: BackupOptions): Promise<OpenedVersion> {
  if (options.exclusions?.length) checkExclusionsFit(options.exclusions);
  return repo.locked('backup', true, async (lock) => {
    const started = new Date();
    const sourceClockMs = options.sourceClockMs ?? started.getTime();
    const meter = new ProgressMeter(options.onProgress, 'preparing');
    const { index } = await repo.loadIndex();
    const parent = await parentOf(repo, options);
    const cache = options.forceRead || !parent ? undefined : await filesCacheFor(repo, index, parent, options);
    const writer = repo.blobWriter(index, options.writer);
    // A lost lock stops the backup early (withLock reports it as LOCK_LOST).
    const signal = options.signal ? AbortSignal.any([options.signal, lock.signal]) : lock.signal;
    meter.update({ phase: 'backing-up', ...(await totals(parent, options)) }, true);
    let indexed = false;
    const content = new ContentStreams(repo.chunkingSpec());
    try {
      const result = await archive(source, writer, {
        meter,
        sourceClockMs,
        content,
        ...(cache ? { cache } : {}),
        signal,
        ...(options.sourcePath ? { sourcePath: options.sourcePath } : {}),
      });
      meter.phase('finalizing');
      const packs = await writer.flush();
      // An index naming packs a prune elsewhere already deleted would mislead later backups' dedup.
      await lock.assertHeld();
      indexed = true;
      const { key: indexKey, bytes: indexBytes } = await repo.writeIndex(packs);
      const version = await repo.commitVersion(lock, {
        createdAt: started,
        sourceKind: options.sourceKind,
        volumes: options.volumes ?? [],
        root: result.root,
        private: {
          horizonMs: result.horizonMs,
          rereadSlot: result.rereadSlot,
          ...(isRecordableEngine(options.engine) ? { engine: { name: options.engine.name, host: options.engine.host } } : {}),
          ...(options.origin ? { origin: options.origin } : {}),
        },
        ...(options.exclusions?.length ? { exclusions: options.exclusions } : {}),
        stats: {
          files: result.files,
          dirs: result.dirs,
          links: result.links,
          bytes: result.bytes,
          addedBytes: writer.addedBytes,
          addedStoredBytes: writer.storedBytes + indexBytes,
          durationMs: Date.now() - started.getTime(),
        },
      }).catch(async (err: unknown) => {
        // Lost between the check and the version (a pause, a stalled request): a prune elsewhere may
        // have deleted the packs this index names, and later backups must not dedup against them.
        if (indexKey && isDvomError(err, 'LOCK_LOST')) await repo.backend.delete(indexKey).catch(() => undefined);
        throw err;
      });
      meter.update({ phase: 'done', bytesNew: writer.addedBytes, bytesStored: writer.storedBytes + indexBytes }, true);
      return version;
    } catch (err) {
      await writer.abort(err);
      if (!indexed) await deleteUnindexed(repo, writer.written.map((p) => p.info.id));
      throw err;
    } finally {
      await content.close();
    }
  });
}

/** Best effort: the original failure is what the caller must see; what stays behind is prune's. */
async function deleteUnindexed(repo: Repository, packIds: string[]): Promise<void> {
  for (const id of packIds) await repo.backend.delete(repo.layout.pack(id)).catch(() => undefined);
}

/** The newest version of the same source (same kind and volumes; the folder is compared once unlocked). */
async function parentOf(repo: Repository, options: BackupOptions): Promise<VersionSummary | undefined> {
  const volumes = JSON.stringify(options.volumes ?? []);
  return (await repo.versions()).filter((v) => v.sourceKind === options.sourceKind && JSON.stringify(v.volumes) === volumes).at(-1);
}

async function totals(parent: VersionSummary | undefined, options: BackupOptions): Promise<{ bytesTotal?: number; filesTotal?: number }> {
  if (options.bytesTotal !== undefined) return { bytesTotal: options.bytesTotal, ...(options.filesTotal !== undefined ? { filesTotal: options.filesTotal } : {}) };
  if (parent) return { bytesTotal: parent.stats.bytes, filesTotal: parent.stats.files };
  // Counting walks the whole source once more: only worth it when someone watches the progress.
  if (!options.countSource || !options.onProgress) return {};
  const counted = await options.countSource();
  if (!counted) return {};
  return { bytesTotal: counted.bytes, ...(counted.files !== undefined ? { filesTotal: counted.files } : {}) };
}

/**
 * The files cache from the parent version; none when it predates the cache
 * (it records no horizon), backed up another folder, or cannot be read.
 */
async function filesCacheFor(repo: Repository, index: BlobIndex, parent: VersionSummary, options: BackupOptions): Promise<FilesCache | undefined> {
  const basis = await repo.versionPrivate(parent);
  if (!basis) return undefined;
  const reader = repo.blobReader(index);
  let root;
  try {
    root = await readTreeRoot(reader, parent.root);
  } catch (err) {
    if (isDvomError(err, 'INTEGRITY')) return undefined; // damaged: read everything, as without a cache
    throw err;
  }
  if (root.sourcePath !== options.sourcePath) return undefined;
  return new FilesCache({ entries: readTree(reader, root), ...basis }, index);
}
