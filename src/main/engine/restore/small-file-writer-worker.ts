/**
 * What SmallFileWriter hands to an engine thread (engine-thread.ts): creates
 * small files with synchronous calls, so the restore's main thread keeps
 * decoding while files are written.
 */
import { closeSync, fchmodSync, fchownSync, ftruncateSync, futimesSync, openSync, writeSync } from 'node:fs';
import { release } from '../memory.ts';

/** One file to create, its name and content given as ranges of the batch's buffer. */
export interface SmallFile {
  dest: [offset: number, length: number];
  /** An empty range with `size` > 0 means all zeros (left sparse). */
  data: [offset: number, length: number];
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** utimes arguments: seconds, or a Date for times before 1970. */
  time: number | Date;
  chown: boolean;
}

/**
 * Files and one buffer holding all their names and contents, transferred, not
 * copied (a view sent on its own would copy the whole buffer it is cut from).
 */
export interface SmallFileBatch {
  bytes: ArrayBuffer;
  files: SmallFile[];
}

export type WriteFilesJob = { op: 'write-files' } & SmallFileBatch;

export type WriterReply = { written: number } | { error: { code?: string; message: string; dest: string } };

function write(bytes: Buffer, f: SmallFile): void {
  const data = bytes.subarray(f.data[0], f.data[0] + f.data[1]);
  const fd = openSync(bytes.subarray(f.dest[0], f.dest[0] + f.dest[1]), 'wx', 0o600);
  try {
    if (data.length) {
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done, done);
    } else if (f.size) {
      ftruncateSync(fd, f.size);
    }
    if (f.chown) fchownSync(fd, f.uid, f.gid);
    // chmod after chown: chown clears setuid/setgid bits.
    fchmodSync(fd, f.mode);
    futimesSync(fd, f.time, f.time);
  } finally {
    closeSync(fd);
  }
}

/** Writes a batch of files in order, stopping at the first failure. */
export function writeFilesJob({ bytes, files }: SmallFileBatch): { reply: WriterReply; transfer: ArrayBuffer[] } {
  const buf = Buffer.from(bytes);
  let written = 0;
  try {
    for (const f of files) {
      try {
        write(buf, f);
        written++;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const dest = buf.subarray(f.dest[0], f.dest[0] + f.dest[1]).toString();
        return { reply: { error: { ...(e.code ? { code: e.code } : {}), message: e.message, dest } }, transfer: [] };
      }
    }
    return { reply: { written }, transfer: [] };
  } finally {
    release(buf); // moved here and this thread's alone: freed now, not at a collection
  }
}
