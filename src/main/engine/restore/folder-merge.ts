import * as fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ProgressListener } from '../../../shared/progress.ts';
import { integrityError } from '../errors.ts';
import { normalizeEntryPath } from '../tree/entry-path.ts';
import { displayPath, type TreeEntry } from '../tree/tree-entry.ts';
import { WrittenFiles, type MergeCounts, type OnExisting } from './written-files.ts';

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await fs.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function under(rel: string, prefixes: ReadonlySet<string>): boolean {
  for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
    if (prefixes.has(rel.slice(0, i))) return true;
  }
  return false;
}

/**
 * Moves `from` to `to` (which does not exist, or is replaced). Within one
 * filesystem a rename, atomic; across a mount point inside the destination a
 * copy under a temporary name beside `to`, renamed into place.
 */
async function moveInto(from: string, to: string, isDir: boolean): Promise<void> {
  try {
    await fs.rename(from, to);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
  }
  const tmp = `${to}.dvom-tmp-${randomBytes(4).toString('hex')}`;
  try {
    await fs.cp(from, tmp, { recursive: isDir, preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true, force: false });
    await fs.rename(tmp, to);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

export interface FolderMergeOptions {
  onExisting: OnExisting;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
  /** Files and bytes restored into the staging folder: the writing phase's progress counts against them. */
  totals?: { files: number; bytes: number } | undefined;
}

/**
 * Moves a verified restore from `staging` into the folder `target`, keeping
 * what else the target holds: a path that exists there is kept (skip) or
 * replaced (overwrite); folders on both sides are merged, the target's keeping
 * its own mode and times. Every folder on the way to a path is checked with
 * lstat, from the target down, before anything is put there: a symbolic link
 * (or anything but a folder) in the target is never followed. Files are moved
 * one at a time, so a cancel or failure leaves the files not yet moved as they
 * were; the error names those that were.
 */
export async function mergeIntoFolder(
  staging: string,
  target: string,
  entries: () => AsyncIterable<TreeEntry>,
  options: FolderMergeOptions,
): Promise<MergeCounts> {
  const written = new WrittenFiles(options.onProgress, options.totals);
  /** Folders moved whole (all new) and folders kept as the target had them: nothing below them is looked at again. */
  const moved = new Set<string>();
  const kept = new Set<string>();
  try {
    for await (const entry of entries()) {
      const rel = normalizeEntryPath(entry.path, `entry '${displayPath(entry.path)}'`).toString('utf8');
      if (rel === '.' || rel === '') continue;
      const isDir = entry.type === 'dir';
      const regular = entry.type === 'file';
      const size = regular ? entry.size : 0;
      if (under(rel, moved)) {
        if (regular || entry.type === 'symlink' || entry.type === 'hardlink') written.add(rel, false, regular, size);
        continue;
      }
      if (under(rel, kept)) {
        if (!isDir) written.skip(rel, regular, size);
        continue;
      }
      const from = path.join(staging, rel);
      const staged = await lstatOrNull(from);
      if (!staged) continue; // not restorable into a folder (a device, a fifo)
      await checkParents(target, rel);
      const dest = path.join(target, rel);
      const there = await lstatOrNull(dest);
      if (there?.isDirectory() && isDir) continue; // merged: its contents are looked at one by one
      if (there && options.onExisting === 'skip') {
        if (isDir) kept.add(rel);
        else written.skip(rel, regular, size);
        continue;
      }
      if (options.signal?.aborted) throw written.cancelled(target);
      // Replacing: a folder is removed first (rename cannot replace one by a file); anything else is replaced atomically.
      if (there?.isDirectory() || (there && isDir)) await fs.rm(dest, { recursive: true, force: true });
      await moveInto(from, dest, isDir);
      if (isDir) moved.add(rel);
      else {
        written.add(rel, there !== null, regular, size);
      }
    }
  } catch (err) {
    throw written.failure(err, target);
  }
  return written.counts();
}

/** Each folder leading to `rel`, from the target down, must be a real folder (lstat: a link is not followed). */
async function checkParents(target: string, rel: string): Promise<void> {
  const parts = rel.split('/');
  let dir = target;
  for (let i = 0; i < parts.length - 1; i++) {
    dir = path.join(dir, parts[i]!);
    const st = await lstatOrNull(dir);
    if (!st?.isDirectory()) {
      throw integrityError(`'${rel}' would be written through '${parts.slice(0, i + 1).join('/')}', which is not a folder in the destination (a symbolic link is never followed)`);
    }
  }
}
