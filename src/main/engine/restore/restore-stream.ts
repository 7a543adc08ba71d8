import { createHash } from 'node:crypto';
import { integrityError } from '../errors.ts';
import type { TreeEntry } from '../tree/tree-entry.ts';
import { displayPath } from '../tree/tree-entry.ts';
import { prefetchChunks } from './chunk-prefetch.ts';
import { reclaimAfter, releaseOwned } from '../memory.ts';

export interface RestoreItem {
  entry: TreeEntry;
  /** File content; must be consumed before the next item. Ends with a size and SHA-256 check. */
  content?: AsyncIterable<Buffer>;
}

/**
 * A version as a stream of entries with verified content: every file's bytes
 * are checked against the size and SHA-256 recorded at backup time.
 *
 * `read` leaves counting its bytes for collection to this stream. With
 * `freeChunks`, the consumer is done with a chunk once it asks for the next
 * (or for the end): a chunk that is memory of its own is then freed at once,
 * instead of at a collection forced every few MiB (memory.ts). Whoever keeps
 * a chunk longer must copy it if it isOwned().
 */
export async function* restoreStream(
  entries: AsyncIterable<TreeEntry>,
  read: (id: string) => Promise<Buffer>,
  freeChunks = false,
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
        if (!freeChunks || !releaseOwned(data)) reclaimAfter(data.length);
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
