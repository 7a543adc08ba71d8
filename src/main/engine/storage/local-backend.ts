import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DvomError, ObjectNotFoundError } from '../errors.ts';
import { checkKey, isPartsBody, type PutOptions, type StorageBackend, type StoredObject } from './backend.ts';

const TEMP_PREFIX = '.tmp-';

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

const WRITE_BATCH = 1024 * 1024;

/** Many small parts (sealed segments and their tags) reach the file in a few large writes. */
async function writeBatched(handle: fs.FileHandle, body: AsyncIterable<Buffer>): Promise<void> {
  let batch: Buffer[] = [];
  let batched = 0;
  const parts = isPartsBody(body) ? body : undefined;
  const write = async () => {
    let written = 0;
    while (written < batched) {
      const { bytesWritten } = await handle.writev(written ? [Buffer.concat(batch).subarray(written)] : batch);
      written += bytesWritten;
    }
    if (parts) for (const part of batch) parts.written(part);
    batch = [];
    batched = 0;
  };
  for await (const part of body) {
    batch.push(part);
    batched += part.length;
    if (batched >= WRITE_BATCH || batch.length >= 256) await write(); // 256: well below any IOV_MAX
  }
  if (batched) await write();
}

/** A store in a local folder. Objects are written to a temporary file, fsynced, then linked into place. */
export class LocalBackend implements StorageBackend {
  readonly location: string;
  /** Packs are written as they fill, so a sealed one only waits for its fsync: let the next fill meanwhile. */
  readonly concurrentPuts = 2;
  readonly freesParts = true;
  /** A read from a local disk costs no round trip: small blocks, little memory. */
  readonly rangeReadSize = 1024 * 1024;

  constructor(root: string) {
    this.location = path.resolve(root);
  }

  private file(key: string): string {
    checkKey(key);
    return path.join(this.location, ...key.split('/'));
  }

  async put(key: string, body: Buffer | AsyncIterable<Buffer>, options: PutOptions = {}): Promise<void> {
    const target = this.file(key);
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true });
    const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      try {
        if (Buffer.isBuffer(body)) await handle.write(body);
        else await writeBatched(handle, body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (options.overwrite) {
        await fs.rename(temp, target);
      } else {
        // link() fails if the target exists, which makes a create-only put atomic.
        try {
          await fs.link(temp, target);
        } catch (err) {
          if (isErrno(err, 'EEXIST')) throw new DvomError('ALREADY_EXISTS', `object ${key} already exists`);
          throw err;
        }
        await fs.unlink(temp);
      }
      await syncDir(dir);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.file(key));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new ObjectNotFoundError(`object ${key} not found in ${this.location}`);
      throw err;
    }
  }

  async *getStream(key: string): AsyncIterable<Buffer> {
    const file = this.file(key);
    try {
      await fs.access(file);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new ObjectNotFoundError(`object ${key} not found in ${this.location}`);
      throw err;
    }
    yield* createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>;
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file(key), 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new ObjectNotFoundError(`object ${key} not found in ${this.location}`);
      throw err;
    }
    try {
      const buf = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buf, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buf.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      const st = await fs.stat(this.file(key));
      return { key, size: st.size, modified: st.mtime };
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const base = prefix.replace(/\/+$/, '');
    const start = base ? path.join(this.location, ...base.split('/')) : this.location;
    yield* this.walk(start, base);
  }

  private async *walk(dir: string, keyPrefix: string): AsyncIterable<StoredObject> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const key = keyPrefix ? `${keyPrefix}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        yield* this.walk(full, key);
      } else if (entry.isFile()) {
        const st = await fs.stat(full).catch(() => undefined);
        if (st) yield { key, size: st.size, modified: st.mtime };
      }
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }

  /** Removes a folder's now-empty directories; harmless if they are not empty. */
  async removeEmptyDirs(prefix: string): Promise<void> {
    await removeEmpty(path.join(this.location, ...prefix.split('/')));
  }

  async sweepIncomplete(prefix: string, olderThanMs: number): Promise<number> {
    let removed = 0;
    const visit = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await visit(full);
        else if (entry.name.startsWith(TEMP_PREFIX)) {
          const st = await fs.stat(full).catch(() => undefined);
          if (st && Date.now() - st.mtimeMs > olderThanMs) {
            await fs.rm(full, { force: true });
            removed++;
          }
        }
      }
    };
    await visit(path.join(this.location, ...prefix.split('/').filter(Boolean)));
    return removed;
  }
}

async function removeEmpty(dir: string): Promise<boolean> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return false;
  let empty = true;
  for (const entry of entries) {
    if (!entry.isDirectory() || !(await removeEmpty(path.join(dir, entry.name)))) empty = false;
  }
  if (empty) await fs.rmdir(dir).catch(() => undefined);
  return empty;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the new directory entry itself durable (rename/link are only durable after this).
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
