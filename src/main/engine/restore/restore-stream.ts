import { createHash } from 'node:crypto';
import { integrityError } from '../errors.ts';
import type { TreeEntry } from '../tree/tree-entry.ts';
import { displayPath } from '../tree/tree-entry.ts';
import { prefetchChunks } from './chunk-prefetch.ts';
import { isOwned, reclaimAfter, releaseOwned } from '../memory.ts';

export interface RestoreItem {
  entry: TreeEntry;
  /** File content; must be consumed before the next item. Ends with a size and SHA-256 check. */
  content?: AsyncIterable<Buffer>;
}

/**
 * Who frees a chunk that is memory of its own (isOwned, memory.ts), rather
 * than leave it to a collection forced every few MiB:
 * - 'collector': nobody; the consumer may keep chunks as long as it likes.
 * - 'stream': the consumer is done with a chunk once it asks for the next
 *   (or for the end), and the stream frees it then. Whoever keeps a chunk
 *   longer must copy it if it isOwned().
 * - 'consumer': the consumer frees it (releaseOwned) once done with it, as
 *   an upload does once its socket wrote it.
 * Chunks that are not memory of their own are always left to the collector.
 */
export type ChunkRelease = 'collector' | 'stream' | 'consumer';

/**
 * A version as a stream of entries with verified content: every file's bytes
 * are checked against the size and SHA-256 recorded at backup time.
 * `read` leaves counting its bytes for collection to this stream.
 */
export async function* restoreStream(
  entries: AsyncIterable<TreeEntry>,
  read: (id: string) => Promise<Buffer>,
  release: ChunkRelease = 'collector',
  hint?: (id: string) => boolean,
): AsyncGenerator<RestoreItem> {
  const tokens = prefetchChunks(entries, read, undefined, hint);
  let pending = await tokens.next();
  while (!pending.done) {
    const token = pending.value;
    if (!('entry' in token)) throw new Error('restore stream out of step');
    const entry = token.entry;
    if (entry.type !== 'file') {
      yield { entry };
      pending = await tokens.next();
      continue;
    }
    let consumed = false;
    const content = (async function* () {
      const hash = createHash('sha256');
      let size = 0;
      for (let i = 0; i < (entry.chunks?.length ?? 0); i++) {
        const next = await tokens.next();
        if (next.done || !('chunk' in next.value)) throw new Error('restore stream out of step');
        const data = await next.value.chunk;
        hash.update(data);
        size += data.length;
        yield data;
        if (release === 'collector' || !isOwned(data)) reclaimAfter(data.length);
        else if (release === 'stream') releaseOwned(data);
      }
      consumed = true;
      const name = displayPath(entry.path);
      if (size !== entry.size) throw integrityError(`file '${name}': restored ${size} bytes, expected ${entry.size}`);
      if (hash.digest('hex') !== entry.sha256) throw integrityError(`file '${name}': content does not match its SHA-256`);
    })();
    yield { entry, content };
    if (!consumed) for await (const _ of content) void _;
    pending = await tokens.next();
  }
}
