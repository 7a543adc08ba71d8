/**
 * Pulls entries from `source` ahead of its consumer, at most `max` of them,
 * starting at once. A folder walk (readdir and lstat, no file contents) then
 * runs while the repository is being unlocked, the key derivation busy on
 * the thread pool, instead of after it: for a folder of many small files
 * most of an unchanged re-backup is that walk.
 *
 * Only for sources whose entries stay valid when taken early, such as
 * folderSource (a file's content is read when asked for, not when its entry
 * is made); a tar stream's bodies must be read in order. A failure of the
 * source is thrown where it happened in the sequence, after the entries
 * before it. Call return() (a for-await loop does) to stop the walk.
 *
 * Once the consumer takes its first entry, the walk stays only `steady`
 * entries ahead: every entry held is live memory that each full collection
 * marks again, and a walk far ahead gains nothing once the consumer is busy.
 */
export function readAhead<T>(source: AsyncIterable<T>, max: number, steady = max): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let buffer: T[] = [];
  let head = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let bound = max;
  let pumping: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const available = () => buffer.length - head;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const pump = async () => {
    try {
      while (!stopped && !ended && available() < bound) {
        const next = await iterator.next();
        if (next.done) ended = true;
        else buffer.push(next.value);
        notify();
      }
    } catch (error) {
      failure = { error };
    } finally {
      pumping = undefined;
      notify();
    }
  };
  const refill = () => {
    // Only with room: a pump that never awaits would finish before `pumping` is set, and stay set.
    if (!pumping && !ended && !failure && !stopped && available() < bound) pumping = pump();
  };
  refill();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopped = true;
      await pumping;
      await iterator.return?.(undefined);
    })());
  const consumer = (async function* () {
    try {
      for (;;) {
        if (available()) {
          bound = steady;
          const value = buffer[head]!;
          buffer[head++] = undefined as T; // let it go once consumed
          if (head === buffer.length) {
            buffer = [];
            head = 0;
          }
          refill();
          yield value;
          continue;
        }
        if (failure) throw failure.error;
        if (ended) return;
        refill();
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      await close();
    }
  })();
  // return() on a generator never started skips its finally: stop the walk here too.
  const giveUp = consumer.return.bind(consumer);
  consumer.return = async (value) => {
    const result = await giveUp(value);
    await close();
    return result;
  };
  return consumer;
}
