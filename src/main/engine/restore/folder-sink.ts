import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { integrityError, throwIfAborted } from '../errors.ts';
import type { ProgressMeter } from '../archive/progress-meter.ts';
import { isRootPath, normalizeEntryPath } from '../tree/entry-path.ts';
import type { TreeEntry } from '../tree/tree-entry.ts';
import { displayPath } from '../tree/tree-entry.ts';
import type { RestoreItem } from './restore-stream.ts';
import { SmallFileWriter } from './small-file-writer.ts';

const SEP = Buffer.from('/');
const isRoot = process.getuid?.() === 0;

function under(root: Buffer, rel: Buffer): Buffer {
  return isRootPath(rel) ? root : Buffer.concat([root, SEP, rel]);
}

/**
 * A time for fs.utimes. Node treats negative numbers as "now", so times before
 * 1970 go as Dates; others as seconds nudged by half a microsecond, so an exact
 * millisecond does not round down to the one before it.
 */
function fsTime(ms: number): number | Date {
  return ms < 0 ? new Date(ms) : (ms + 0.0005) / 1000;
}

function allZero(buf: Buffer): boolean {
  // Compare against a zero page in slices: memcmp speed, no allocation per call.
  for (let pos = 0; pos < buf.length; pos += ZERO.length) {
    const part = buf.subarray(pos, pos + ZERO.length);
    if (!part.equals(ZERO.subarray(0, part.length))) return false;
  }
  return true;
}
const ZERO = Buffer.alloc(64 * 1024);

/**
 * Writes a version into an empty folder. Symbolic links are created only
 * after every file is written, and only inside the target, so no entry can
 * write through a link to outside it. Owners are restored when running as root.
 */
export async function writeToFolder(
  target: string,
  items: AsyncIterable<RestoreItem>,
  replay: () => AsyncIterable<TreeEntry>,
  meter: ProgressMeter,
  signal?: AbortSignal,
): Promise<void> {
  const root = Buffer.from(path.resolve(target));
  const deferredLinks: number[] = [];
  // Entries come depth-first, so files mostly share the parent just made: one mkdir per folder, not per file.
  // (Safe to trust: nothing but folders and files exists in the target until the second pass.)
  let madeParent: Buffer | undefined;
  const makeParent = async (dest: Buffer) => {
    const parent = parentOf(dest);
    if (madeParent?.equals(parent)) return;
    await fs.mkdir(parent, { recursive: true });
    madeParent = parent;
  };
  let index = 0;
  const files = new SmallFileWriter();
  try {
  for await (const { entry, content } of items) {
    throwIfAborted(signal);
    const rel = normalizeEntryPath(entry.path, `entry '${displayPath(entry.path)}'`);
    const dest = under(root, rel);
    if (entry.type === 'dir') {
      await fs.mkdir(dest, { recursive: true, mode: 0o700 });
      madeParent = dest;
    } else if (entry.type === 'file') {
      await makeParent(dest);
      if (entry.size <= SMALL_FILE) await writeSmallFile(files, dest, entry, content!, meter);
      else await writeFile(dest, entry, content!, meter);
      meter.update({ filesDone: meter.state.filesDone + 1, current: displayPath(rel) });
    } else if (entry.type === 'hardlink') {
      const source = under(root, normalizeEntryPath(entry.linkTarget!, `hard link target of '${displayPath(rel)}'`));
      await makeParent(dest);
      try {
        await fs.link(source, dest);
      } catch {
        deferredLinks.push(index); // its target is a symlink or comes later: link in the final pass
      }
    } else if (entry.type === 'fifo' || entry.type === 'char' || entry.type === 'block') {
      // Node cannot create special files; they are recreated when restoring into a volume (tar).
      meter.update({});
    }
    index++;
  }
  await files.drain();
  } finally {
    await files.close();
  }
  await finishEntries(root, replay, new Set(deferredLinks));
}

function parentOf(p: Buffer): Buffer {
  const i = p.lastIndexOf(0x2f);
  return i <= 0 ? Buffer.from('/') : p.subarray(0, i);
}

/** Files up to this size are written by the SmallFileWriter's thread. */
const SMALL_FILE = 128 * 1024;

async function writeSmallFile(
  files: SmallFileWriter,
  dest: Buffer,
  entry: TreeEntry,
  content: AsyncIterable<Buffer>,
  meter: ProgressMeter,
) {
  const parts: Buffer[] = [];
  for await (const chunk of content) parts.push(chunk);
  const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  await files.add({
    dest,
    data: allZero(data) ? EMPTY : data, // all zeros: left sparse, as the original most likely was
    size: data.length,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    time: fsTime(entry.mtimeMs),
    chown: isRoot,
  });
  meter.update({ bytesDone: meter.state.bytesDone + data.length });
}
const EMPTY = Buffer.alloc(0);

/** Writes a file and sets its owner, mode and times through the open handle (fewer calls: many files are small). */
async function writeFile(dest: Buffer, entry: TreeEntry, content: AsyncIterable<Buffer>, meter: ProgressMeter) {
  const handle = await fs.open(dest, 'wx', 0o600);
  try {
    let pos = 0;
    let written = 0; // end of the last bytes actually written
    for await (const chunk of content) {
      // Zero chunks are skipped: the file stays sparse where the original most likely was.
      if (!allZero(chunk)) {
        let done = 0;
        while (done < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, pos + done);
          done += bytesWritten;
        }
        written = pos + chunk.length;
      }
      pos += chunk.length;
      meter.update({ bytesDone: meter.state.bytesDone + chunk.length });
    }
    if (written < pos) await handle.truncate(pos); // a skipped zero tail still counts in the size
    if (isRoot) await handle.chown(entry.uid, entry.gid);
    // chmod after chown: chown clears setuid/setgid bits.
    await handle.chmod(entry.mode);
    await handle.utimes(fsTime(entry.mtimeMs), fsTime(entry.mtimeMs));
  } finally {
    await handle.close();
  }
}

async function applyOwnerAndMode(dest: Buffer, entry: TreeEntry, link: boolean): Promise<void> {
  if (isRoot) await (link ? fs.lchown(dest, entry.uid, entry.gid) : fs.chown(dest, entry.uid, entry.gid));
  // chmod after chown: chown clears setuid/setgid bits.
  if (!link) await fs.chmod(dest, entry.mode);
}

/** Second pass: symbolic links, deferred hard links, then directory modes and times. */
async function finishEntries(root: Buffer, replay: () => AsyncIterable<TreeEntry>, deferred: Set<number>) {
  const realRoot = await fs.realpath(root);
  let index = 0;
  for await (const entry of replay()) {
    const rel = normalizeEntryPath(entry.path, `entry '${displayPath(entry.path)}'`);
    const dest = under(root, rel);
    if (entry.type === 'symlink' || (entry.type === 'hardlink' && deferred.has(index))) {
      await fs.mkdir(parentOf(dest), { recursive: true });
      await assertInside(realRoot, dest, rel);
      if (entry.type === 'symlink') {
        await fs.symlink(entry.linkTarget!, dest);
        if (isRoot) await fs.lchown(dest, entry.uid, entry.gid);
        await fs.lutimes(dest, fsTime(entry.mtimeMs), fsTime(entry.mtimeMs));
      } else {
        const source = under(root, normalizeEntryPath(entry.linkTarget!, 'hard link target'));
        await assertInside(realRoot, source, rel);
        await fs.link(source, dest);
      }
    }
    index++;
  }
  // Directories last: their times change whenever a child is added.
  for await (const entry of replay()) {
    if (entry.type !== 'dir') continue;
    const dest = under(root, normalizeEntryPath(entry.path, 'directory'));
    await applyOwnerAndMode(dest, entry, false);
    await fs.utimes(dest, fsTime(entry.mtimeMs), fsTime(entry.mtimeMs));
  }
}

/** Refuses to create `dest` if its parent resolves (through links) outside the target. */
async function assertInside(realRoot: string, dest: Buffer, rel: Buffer): Promise<void> {
  const realParent = await fs.realpath(parentOf(dest));
  if (realParent !== realRoot && !realParent.startsWith(realRoot + path.sep)) {
    throw integrityError(`entry '${displayPath(rel)}' would be written outside the target through a symbolic link`);
  }
}
