import type { Readable } from 'node:stream';

/** Bytes received but not yet taken; beyond this the stream is paused (its socket stops being read). */
const HIGH_WATER = 4 * 1024 * 1024;

/**
 * A byte stream's chunks exactly as they arrive. A Readable's own async
 * iterator returns everything buffered at once, concatenated into a fresh
 * copy whenever more than one chunk waits: for a volume's tar stream that was
 * a copy of most of the data, and memory for the collector to chase. Errors
 * reach the consumer through `mapError`; a stream that closes before its end
 * fails with `closedEarly()`. The stream is destroyed when the consumer stops.
 */
export async function* streamChunks(
  stream: Readable,
  mapError: (err: Error) => Error,
  closedEarly: () => Error,
): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let head = 0;
  let queued = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= HIGH_WATER) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (err: Error) => {
    failure ??= mapError(err);
    notify();
  };
  const onClose = () => {
    if (!ended) failure ??= closedEarly();
    notify();
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onError);
  stream.on('close', onClose);
  try {
    for (;;) {
      if (head < queue.length) {
        const chunk = queue[head]!;
        queue[head++] = EMPTY; // not kept alive by the queue once taken
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        queued -= chunk.length;
        if (queued < HIGH_WATER / 2 && stream.isPaused()) stream.resume();
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onClose);
    stream.off('error', onError);
    stream.on('error', () => undefined); // whatever it says after the consumer stopped, nobody listens
    stream.destroy();
  }
}
const EMPTY = Buffer.alloc(0);
