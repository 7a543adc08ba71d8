import type { TreeEntry } from '../tree/tree-entry.ts';

type Token = { entry: TreeEntry } | { chunk: Promise<Buffer> };

/**
 * Walks tree entries and keeps up to `maxInFlight` chunk reads running ahead
 * of the consumer, across file boundaries, so many small files restore at the
 * speed of the store rather than one round trip each. Yields entries and
 * their chunks in order.
 */
export async function* prefetchChunks(
  entries: AsyncIterable<TreeEntry>,
  read: (id: string) => Promise<Buffer>,
  maxInFlight = 8,
): AsyncGenerator<Token> {
  const queue: Token[] = [];
  let inFlight = 0;
  const source = tokens(entries)[Symbol.asyncIterator]();
  let done = false;
  const fill = async () => {
    while (!done && inFlight < maxInFlight && queue.length < maxInFlight * 8) {
      const next = await source.next();
      if (next.done) {
        done = true;
        break;
      }
      if ('id' in next.value) {
        const chunk = read(next.value.id);
        chunk.catch(() => undefined); // rethrown when the consumer reaches it
        inFlight++;
        queue.push({ chunk });
      } else {
        queue.push(next.value);
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
