import type Docker from 'dockerode';
import type { ProgressListener } from '../../shared/progress.ts';
import { TarWriter } from '../engine/tar/tar-writer.ts';
import { intoVolumeArchive, readVolume, writeVolume } from '../docker/volume-archive.ts';
import { listVolume, type PathKind } from '../docker/volume-listing.ts';
import { WrittenFiles, type MergeCounts, type OnExisting } from '../engine/restore/written-files.ts';

export interface MergeOptions {
  onExisting: OnExisting;
  /** The restored files and folders (relative to the volume); [''] or none: the whole volume. */
  roots: readonly string[];
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
  /** Files and bytes in the staging volume: the writing phase's progress counts against them. */
  totals?: { files: number; bytes: number } | undefined;
}

/**
 * What the destination holds where the merge may write: the folders leading
 * to each restored root and everything below it, as the engine sees them
 * (nothing looked up through a symbolic link). Held in memory: the size of
 * the restored part, not of the volume.
 */
async function destinationKinds(docker: Docker, volume: string, roots: readonly string[]): Promise<Map<string, PathKind>> {
  const kinds = new Map<string, PathKind>();
  const listing = await listVolume(docker, volume);
  try {
    for (const root of roots.length ? roots : ['']) {
      const walked = root ? await listing.walk(root) : [];
      for (const [p, k] of walked) if (k) kinds.set(p, k);
      const last = walked.at(-1);
      if (root && (last?.[0] !== root || last[1] !== 'dir')) continue;
      for await (const [p, k] of listing.below(root)) kinds.set(p, k);
    }
  } finally {
    await listing.close();
  }
  return kinds;
}

function under(path: string, prefixes: ReadonlySet<string>): boolean {
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    if (prefixes.has(path.slice(0, i))) return true;
  }
  return false;
}

/**
 * Copies a verified staging volume into a live destination, keeping what the
 * destination holds besides: a path that exists there is kept (skip) or
 * replaced (overwrite); folders on both sides are merged, the destination's
 * keeping its own mode and times. The engine replaces an entry rather than
 * write through it, and every folder a file goes into is either a real folder
 * of the destination or made by this copy, so nothing is written through a
 * symbolic link of the destination. A cancel stops between files; the files
 * not yet written are untouched, and the error names those that were.
 */
export async function mergeIntoVolume(docker: Docker, staging: string, destination: string, options: MergeOptions): Promise<MergeCounts> {
  const existing = await destinationKinds(docker, destination, options.roots);
  const written = new WrittenFiles(options.onProgress, options.totals);
  /** Folders whose contents stay as they are (kept, or not a real folder in the destination). */
  const kept = new Set<string>();
  /** Files of the version not written, for hard links that would point at them. */
  const notWritten = new Set<string>();
  let cancelled = false;
  try {
    await writeVolume(docker, destination, async (out) => {
      const tar = new TarWriter(out);
      for await (const { header, body } of readVolume(docker, staging)) {
        const p = header.path.toString('utf8');
        if (p === '.') continue; // the destination's root keeps its own mode, owner and times
        const file = header.type !== 'dir';
        const regular = header.type === 'file';
        const size = regular ? header.size : 0;
        const skip = () => {
          if (file) written.skip(p, regular, size);
          else kept.add(p);
          notWritten.add(p);
        };
        if (under(p, kept)) {
          skip();
          continue;
        }
        const there = existing.get(p);
        if (there === 'dir' && header.type === 'dir') continue; // merged, not replaced
        if (there && options.onExisting === 'skip') {
          skip();
          continue;
        }
        if (header.type === 'hardlink' && header.linkTarget) {
          const target = header.linkTarget.toString('utf8');
          // Its target was kept as the destination had it: linking would give it that file's contents.
          if (notWritten.has(target) || under(target, kept)) {
            skip();
            continue;
          }
        }
        if (options.signal?.aborted) {
          cancelled = true;
          break;
        }
        await tar.add(intoVolumeArchive(header), regular ? body : undefined);
        if (file) written.add(p, there !== undefined, regular, size);
      }
      await tar.finish();
    });
  } catch (err) {
    throw written.failure(err, destination);
  }
  if (cancelled) throw written.cancelled(destination);
  return written.counts();
}
