import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { ProgressListener } from '../../../shared/progress.ts';
import { destinationNotEmpty, DvomError, throwIfAborted } from '../errors.ts';
import { ProgressMeter } from '../archive/progress-meter.ts';
import type { Repository } from '../repo/repository.ts';
import { DecodePool } from '../repo/decode-pool.ts';
import type { VersionSummary } from '../repo/version-file.ts';
import { writeToFolder } from '../restore/folder-sink.ts';
import { mergeIntoFolder } from '../restore/folder-merge.ts';
import type { MergeCounts, OnExisting } from '../restore/written-files.ts';
import { restoreStream, type ChunkRelease, type RestoreItem } from '../restore/restore-stream.ts';
import { freesOwnedChunks } from '../memory.ts';
import { TarWriter } from '../tar/tar-writer.ts';
import { readTree, readTreeRoot } from '../tree/tree-io.ts';
import type { TarEntryType } from '../tar/tar-types.ts';
import type { TreeEntry } from '../tree/tree-entry.ts';
import type { EntryFilter } from '../tree/path-filter.ts';

/** Picks (and may rename) the entries to restore; undefined skips an entry. */
export type EntrySelector = (entry: TreeEntry) => TreeEntry | undefined;

export interface RestoreOptions {
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  select?: EntrySelector;
  /** Applied after `select`, to the whole stream (--include/--exclude: see tree/path-filter.ts). */
  filter?: EntryFilter;
}

async function* selectEntries(entries: AsyncIterable<TreeEntry>, select: EntrySelector): AsyncGenerator<TreeEntry> {
  for await (const entry of entries) {
    const picked = select(entry);
    if (picked) yield picked;
  }
}

/**
 * A version's entries with verified content, plus a way to walk its tree
 * again. With a pool, decryption and decoding run on its threads.
 */
export async function openVersion(repo: Repository, version: VersionSummary, select?: EntrySelector, pool?: DecodePool, filter?: EntryFilter) {
  const { index } = await repo.loadIndex();
  const reader = repo.blobReader(index, pool);
  const root = await readTreeRoot(reader, version.root);
  /** `only`: a pass that wants entries of one type; others may come all the same (see readTree). A selection sees all. */
  const selected = (only?: TarEntryType) => (select ? selectEntries(readTree(reader, root), select) : readTree(reader, root, only));
  const entries = (only?: TarEntryType): AsyncIterable<TreeEntry> => (filter ? filter(selected()) : selected(only));
  return {
    root,
    entries,
    /** Chunks stay valid as `release` says (see restoreStream). */
    items: (release: ChunkRelease = 'collector'): AsyncGenerator<RestoreItem> => restoreStream(entries(), (id) => reader.read(id, false), release, reader.readsAhead ? (id) => reader.hint(id) : undefined),
  };
}

/**
 * A meter whose totals are what will really be restored: the version's, or,
 * when only part of it is selected, those of the selection (one quick pass
 * over the tree records, no file content).
 */
async function meterFor(
  version: VersionSummary,
  options: RestoreOptions,
  phase: 'restoring' | 'verifying',
  opened: Awaited<ReturnType<typeof openVersion>>,
) {
  const meter = new ProgressMeter(options.onProgress, phase);
  let bytesTotal = version.stats.bytes;
  let filesTotal = version.stats.files;
  if (options.select || options.filter) {
    bytesTotal = 0;
    filesTotal = 0;
    for await (const e of opened.entries()) {
      if (e.type !== 'file') continue;
      bytesTotal += e.size;
      filesTotal++;
    }
  }
  meter.update({ bytesTotal, filesTotal }, true);
  return meter;
}

/** What a restore wrote. */
export interface RestoreCounts {
  files: number;
  bytes: number;
}

/**
 * What restoring into a host folder does: create it, fill it (it is empty), replace its contents (only with force)
 * or write the restored files into it keeping the rest (merge).
 */
export type FolderRestoreAction = 'create' | 'fill' | 'replace' | 'merge';

/**
 * The folder restore's rule, for the restore and its dry run alike: a
 * non-empty folder needs force or merge (DESTINATION_NOT_EMPTY, exit code 2);
 * anything but a folder is refused.
 */
export async function planFolderRestore(dir: string, force: boolean, merge = false): Promise<FolderRestoreAction> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'create';
    if (code === 'ENOTDIR') throw new DvomError('USAGE', `target '${dir}' exists and is not a folder`);
    throw err;
  }
  if (!names.length) return 'fill';
  if (merge) return 'merge';
  if (!force) {
    throw destinationNotEmpty(
      `target folder '${dir}' is not empty; use --keep-existing or --overwrite-existing to add the restored files to it, or --force to replace its contents`,
    );
  }
  return 'replace';
}

/**
 * Restores into a host folder. The version is written and verified in a
 * staging folder first; the target is replaced only after that succeeded, so
 * a wrong password, corrupt data or a cancel leaves it as it was. With
 * `merge`, the staging folder is inside the target (same filesystem) and its
 * files are then moved into the target one by one, keeping the rest (see
 * mergeIntoFolder).
 */
export async function restoreToFolder(
  repo: Repository,
  version: VersionSummary,
  target: string,
  options: RestoreOptions & { force?: boolean; keepSetuid?: boolean; merge?: OnExisting } = {},
): Promise<MergeCounts | undefined> {
  const dest = path.resolve(target);
  const action = await planFolderRestore(dest, options.force === true, options.merge !== undefined);
  return repo.locked('restore', false, () => withDecodePool(async (pool) => {
    const opened = await openVersion(repo, version, options.select, pool, options.filter);
    const meter = await meterFor(version, options, 'restoring', opened);
    const tag = `dvom-restore-${randomBytes(4).toString('hex')}`;
    const staging = action === 'merge' ? path.join(dest, `.${tag}`) : `${dest}.${tag}`;
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.mkdir(staging, { recursive: false, mode: 0o700 });
    try {
      await writeToFolder(staging, opened.items('stream'), opened.entries, meter, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.keepSetuid ? { keepSetuid: true } : {}),
      });
      throwIfAborted(options.signal);
      if (action === 'merge') {
        meter.phase('writing');
        const counts = await mergeIntoFolder(staging, dest, opened.entries, {
          onExisting: options.merge!,
          signal: options.signal,
          onProgress: options.onProgress,
          totals: { files: meter.state.filesDone, bytes: meter.state.bytesDone },
        });
        await fs.rm(staging, { recursive: true, force: true });
        meter.phase('done');
        return counts;
      }
      meter.phase('finalizing');
      await swapInto(staging, dest, action);
      meter.phase('done');
      return undefined;
    } catch (err) {
      await fs.rm(staging, { recursive: true, force: true });
      throw err;
    }
  }));
}

async function swapInto(staging: string, dest: string, action: FolderRestoreAction): Promise<void> {
  if (action === 'create') {
    await fs.rename(staging, dest);
    return;
  }
  const old = `${dest}.dvom-old-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(dest, old);
  } catch {
    // The target cannot be moved (a mount point): replace its contents instead.
    for (const name of await fs.readdir(dest)) await fs.rm(path.join(dest, name), { recursive: true, force: true });
    for (const name of await fs.readdir(staging)) await fs.rename(path.join(staging, name), path.join(dest, name));
    const st = await fs.stat(staging);
    await fs.chmod(dest, st.mode & 0o7777);
    await fs.utimes(dest, st.atime, st.mtime);
    await fs.rm(staging, { recursive: true, force: true });
    return;
  }
  await fs.rename(staging, dest);
  await fs.rm(old, { recursive: true, force: true });
}

/** Streams a version as a tar archive (for a volume's putArchive). Content is verified as it streams. */
export async function restoreToTar(
  repo: Repository,
  version: VersionSummary,
  out: Writable,
  options: RestoreOptions = {},
): Promise<RestoreCounts> {
  return repo.locked('restore', false, () => withDecodePool(async (pool) => {
    const opened = await openVersion(repo, version, options.select, pool, options.filter);
    const meter = await meterFor(version, options, 'restoring', opened);
    const tar = new TarWriter(out);
    for await (const { entry, content } of opened.items(freesOwnedChunks(out) ? 'consumer' : 'collector')) {
      throwIfAborted(options.signal);
      await tar.add(entry, content ? countBytes(content, meter) : undefined);
      if (entry.type === 'file') meter.update({ filesDone: meter.state.filesDone + 1 });
    }
    await tar.finish();
    meter.phase('done');
    return { files: meter.state.filesDone, bytes: meter.state.bytesDone };
  }));
}

async function* countBytes(content: AsyncIterable<Buffer>, meter: ProgressMeter): AsyncGenerator<Buffer> {
  for await (const chunk of content) {
    meter.update({ bytesDone: meter.state.bytesDone + chunk.length });
    yield chunk;
  }
}

export interface ContentCheck {
  files: number;
  bytes: number;
  durationMs: number;
}

/** Reads every file of a version and checks its size and SHA-256, writing nothing. */
export async function checkVersionContent(
  repo: Repository,
  version: VersionSummary,
  options: RestoreOptions = {},
): Promise<ContentCheck> {
  const started = Date.now();
  return repo.locked('check', false, () => withDecodePool(async (pool) => {
    const opened = await openVersion(repo, version, options.select, pool, options.filter);
    const meter = await meterFor(version, options, 'verifying', opened);
    for await (const { content } of opened.items()) {
      throwIfAborted(options.signal);
      if (!content) continue;
      for await (const chunk of content) meter.update({ bytesDone: meter.state.bytesDone + chunk.length });
      meter.update({ filesDone: meter.state.filesDone + 1 });
    }
    meter.phase('done');
    return { files: meter.state.filesDone, bytes: meter.state.bytesDone, durationMs: Date.now() - started };
  }));
}

/** Runs `fn` with decoding threads, closed however it ends. */
async function withDecodePool<T>(fn: (pool: DecodePool) => Promise<T>): Promise<T> {
  const pool = new DecodePool();
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}
