import { closeSync, lstatSync, openSync, readSync, type BigIntStats, type Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import { DvomError, notFound } from '../errors.ts';
import { release } from '../memory.ts';
import type { TarEntryType, TarHeader } from '../tar/tar-types.ts';
import { displayPath, type SourceEntry } from '../tree/tree-entry.ts';

export interface FolderSourceOptions {
  /** Called for entries that cannot be backed up (sockets, vanished files). */
  onWarning?: (message: string) => void;
  /**
   * Paths (relative, '/'-separated) left out before they are read: an excluded
   * folder is not walked, and an excluded path never becomes the first of a
   * hard-linked file, so the file's next path carries its content.
   */
  skip?: (relPath: string) => boolean;
}

const SEP = Buffer.from('/');

function join(dir: Buffer, name: Buffer): Buffer {
  return dir.length ? Buffer.concat([dir, SEP, name]) : name;
}

function typeOf(st: BigIntStats): TarEntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets cannot be archived
}

/**
 * Walks a host folder depth-first in name order and yields tar-style entries
 * (root first as '.'). Names are handled as raw bytes, so non-UTF-8 names
 * survive. Files with several links become one file plus hard links.
 */
export async function* folderSource(root: string, options: FolderSourceOptions = {}): AsyncGenerator<SourceEntry> {
  const rootStat = await fs.lstat(root, { bigint: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw notFound(`folder '${root}' does not exist`);
    throw err;
  });
  if (!rootStat.isDirectory()) throw new DvomError('USAGE', `'${root}' is not a folder`);
  const rootBuf = Buffer.from(root);
  const inodes = new Map<string, Buffer>();
  yield { header: header(Buffer.from('.'), rootStat, 'dir') };
  yield* walk(rootBuf, Buffer.alloc(0), inodes, options);
}

async function* walk(
  rootBuf: Buffer,
  rel: Buffer,
  inodes: Map<string, Buffer>,
  options: FolderSourceOptions,
): AsyncGenerator<SourceEntry> {
  const dir = rel.length ? Buffer.concat([rootBuf, SEP, rel]) : rootBuf;
  let names: Dirent<Buffer>[];
  try {
    names = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (err) {
    options.onWarning?.(`cannot read folder '${dir.toString()}': ${(err as Error).message}`);
    return;
  }
  names.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const dirent of names) {
    const relPath = join(rel, dirent.name);
    if (options.skip?.(displayPath(relPath))) continue;
    const full = Buffer.concat([rootBuf, SEP, relPath]);
    let st: BigIntStats;
    try {
      // Synchronous: a metadata call on a local disk takes microseconds, far less than a trip
      // through the thread pool, and a folder of many small files is mostly such calls.
      st = lstatSync(full, { bigint: true });
    } catch (err) {
      options.onWarning?.(`skipped '${relPath.toString()}': ${(err as Error).message}`);
      continue;
    }
    const type = typeOf(st);
    if (!type) {
      options.onWarning?.(`skipped socket '${relPath.toString()}'`);
      continue;
    }
    if ((type === 'file' || type === 'symlink') && st.nlink > 1n) {
      const inode = `${st.dev}:${st.ino}`;
      const first = inodes.get(inode);
      if (first) {
        yield { header: { ...header(relPath, st, 'hardlink'), linkTarget: first } };
        continue;
      }
      inodes.set(inode, relPath);
    }
    const h = header(relPath, st, type);
    if (type === 'symlink') h.linkTarget = await fs.readlink(full, { encoding: 'buffer' });
    if (type === 'file') {
      const identity = { ctimeNs: st.ctimeNs.toString(), inode: st.ino.toString() };
      yield h.size <= WHOLE_READ_MAX
        ? { header: h, identity, readAll: () => readWhole(full, h.size) }
        : { header: h, identity, body: fileBody(full, h.size) };
    } else {
      yield { header: h };
    }
    if (type === 'dir') yield* walk(rootBuf, relPath, inodes, options);
  }
}

const READ_SIZE = 1024 * 1024;

/** Files up to this size are read in one synchronous call each (see readWhole). */
const WHOLE_READ_MAX = 128 * 1024;

/**
 * A small file's content in a fresh buffer (the archiver keeps it until it is
 * packed), read up to the size lstat reported. Synchronous for the same reason
 * as lstat above: three quick system calls instead of three thread-pool trips.
 */
function readWhole(file: Buffer, size: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(size);
  if (size === 0) return buf;
  const fd = openSync(file, 'r');
  try {
    let filled = 0;
    while (filled < size) {
      const n = readSync(fd, buf, filled, size - filled, filled);
      if (n === 0) break; // the file shrank meanwhile: what was there is what is stored
      filled += n;
    }
    return filled === size ? buf : buf.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's content, read up to the size lstat reported (a consistent length
 * even if the file grows meanwhile) into one buffer per file, reused for every
 * read so reading makes no garbage; no larger than the file, so thousands of
 * small files do not each allocate 1 MiB. Each buffer yielded is valid only
 * until the next is requested: the archiver hashes and chunks (copies) it
 * at once.
 */
async function* fileBody(file: Buffer, size: number): AsyncIterable<Buffer> {
  if (size === 0) return;
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(READ_SIZE, size));
    for (let pos = 0; pos < size; ) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) return; // the file shrank meanwhile: what was there is what is stored
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
    release(buf); // every piece yielded is dead by now (see above): no need to wait for a collection
  } finally {
    await handle.close();
  }
}

function header(path: Buffer, st: BigIntStats, type: TarEntryType): TarHeader {
  const h: TarHeader = {
    path,
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtimeMs: Number(st.mtimeNs / 1000n) / 1000,
    size: type === 'file' ? Number(st.size) : 0,
  };
  if (type === 'char' || type === 'block') {
    const rdev = Number(st.rdev);
    h.devMajor = (rdev >> 8) & 0xfff;
    h.devMinor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  }
  return h;
}

/** Sum of file sizes under a folder, for progress totals (quick metadata-only walk). */
export async function folderSize(root: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const visit = async (dir: Buffer): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' }).catch(() => [] as Dirent<Buffer>[]);
    for (const e of entries) {
      const full = Buffer.concat([dir, SEP, e.name]);
      if (e.isDirectory()) await visit(full);
      else if (e.isFile()) {
        let st: import('node:fs').Stats | undefined;
        try {
          st = lstatSync(full); // synchronous, as in the walk above
        } catch {
          st = undefined;
        }
        if (st) {
          bytes += st.size;
          files++;
        }
      }
    }
  };
  await visit(Buffer.from(root));
  return { bytes, files };
}
