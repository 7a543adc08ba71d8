import type { TreeEntry } from '../tree/tree-entry.ts';

type Token = { entry: TreeEntry } | { chunk: Promise<Buffer> };

/** Chunk ids named to `hint` ahead of the reads in flight; entries held for that at most (folders and empty files have none). */
const HINTS_AHEAD = 64;
const MAX_UPCOMING = 1024;

/**
 * Walks tree entries and keeps up to `maxInFlight` chunk reads running ahead
 * of the consumer, across file boundaries, so many small files restore at the
 * speed of the store rather than one round trip each. Yields entries and
 * their chunks in order. `hint` learns of the chunks to be read after those,
 * nearest first, some way ahead: the reader may start fetching what holds
 * them, and returns false when it has no room for one (it is named again
 * later).
 */
export async function* prefetchChunks(
  entries: AsyncIterable<TreeEntry>,
  read: (id: string) => Promise<Buffer>,
  maxInFlight = 8,
  hint?: (id: string) => boolean,
): AsyncGenerator<Token> {
  const queue: Token[] = [];
  let inFlight = 0;
  const source = tokens(entries)[Symbol.asyncIterator]();
  /** Taken from the source, not yet read. */
  const upcoming: ({ entry: TreeEntry } | { id: string })[] = [];
  /** Chunk ids in `upcoming`. */
  let idsAhead = 0;
  /** upcoming[0 … named) were taken by `hint`. */
  let named = 0;
  let done = false;
  const pull = async () => {
    const next = await source.next();
    if (next.done) {
      done = true;
      return;
    }
    upcoming.push(next.value);
    if ('id' in next.value) idsAhead++;
  };
  // Nearest first; one the reader had no room for is named again next time.
  const hintUpcoming = () => {
    for (; named < upcoming.length; named++) {
      const value = upcoming[named]!;
      if ('id' in value && !hint!(value.id)) return;
    }
  };
  const fill = async () => {
    while ((upcoming.length || !done) && inFlight < maxInFlight && queue.length < maxInFlight * 8) {
      if (!upcoming.length) await pull();
      if (hint) {
        while (!done && idsAhead < HINTS_AHEAD && upcoming.length < MAX_UPCOMING) await pull();
        hintUpcoming();
      }
      const value = upcoming.shift();
      if (!value) break;
      named = Math.max(0, named - 1);
      if ('id' in value) {
        idsAhead--;
        const chunk = read(value.id);
        chunk.catch(() => undefined); // rethrown when the consumer reaches it
        inFlight++;
        queue.push({ chunk });
      } else {
        queue.push(value);
      }
    }
  };
  try {
    for (;;) {
      await fill();
      const token = queue.shift();
      if (!token) return;
      if ('chunk' in token) inFlight--;
      yield token;
    }
  } finally {
    await source.return?.(undefined);
  }
}

async function* tokens(entries: AsyncIterable<TreeEntry>): AsyncGenerator<{ entry: TreeEntry } | { id: string }> {
  for await (const entry of entries) {
    yield { entry };
    for (const id of entry.chunks ?? []) yield { id };
  }
}
