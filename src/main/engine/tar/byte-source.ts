// Pull-based byte reader over an async iterable of chunks, independent of how the producer
// slices its data. Hands out subarrays of the producer's chunks wherever possible (no copying).
import { releaseMemory } from '../memory.ts';

export interface ByteSourceOptions {
  /**
   * The producer's chunks are this reader's alone (nothing else holds them).
   * One that is all of its memory and that the reader passes over without
   * handing out a view of it (a skipped body, bytes copied into a header) is
   * freed at once: otherwise a tar stream's unread bodies wait for
   * collections, which V8 then starts every few MiB.
   */
  ownsChunks?: boolean;
}

export class ByteSource {
  /** Total bytes consumed so far (for error messages). */
  offset = 0;
  readonly #it: AsyncIterator<Buffer | Uint8Array>;
  #chunks: Buffer[] = [];
  #head = 0; // index of the first unconsumed chunk in #chunks
  #buffered = 0;
  #done = false;
  #busy = false;
  /** With ownsChunks: memory of chunks this reader may free, until it hands out a view of one. */
  readonly #freeable: WeakSet<ArrayBuffer> | undefined;
  /** The memory of the last view lent (readSome with `lend`): the caller's until its next call. */
  #lent: ArrayBuffer | undefined;

  constructor(source: AsyncIterable<Buffer | Uint8Array>, options: ByteSourceOptions = {}) {
    this.#it = source[Symbol.asyncIterator]();
    if (options.ownsChunks) this.#freeable = new WeakSet();
  }

  /** Exactly n bytes, or fewer only at end of input. */
  async read(n: number): Promise<Buffer> {
    return this.#exclusive(async () => {
      while (this.#buffered < n && (await this.#fill()));
      return this.#take(Math.min(n, this.#buffered));
    });
  }

  /**
   * Between 1 and max bytes (whatever is at hand), or null at end of input.
   * `lend`: the caller is done with the bytes when it next calls this reader
   * (it copies what it keeps), so their memory may be freed then.
   */
  async readSome(max: number, lend = false): Promise<Buffer | null> {
    return this.#exclusive(async () => {
      if (this.#buffered === 0 && !(await this.#fill())) return null;
      return this.#take(Math.min(max, this.#chunks[this.#head]!.length), lend);
    });
  }

  /** Discards up to n bytes; returns how many were discarded (fewer only at end of input). */
  async skip(n: number): Promise<number> {
    return this.#exclusive(async () => {
      let skipped = 0;
      for (;;) {
        const k = Math.min(n - skipped, this.#buffered);
        if (k > 0) this.#discard(k);
        skipped += k;
        if (skipped === n || !(await this.#fill())) return skipped;
      }
    });
  }

  /** Discards everything up to end of input. */
  async drain(): Promise<void> {
    await this.skip(Infinity);
  }

  /** Stops the producer early (for Node streams this destroys the stream). */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#chunks = [];
    this.#head = 0;
    this.#buffered = 0;
    try {
      await this.#it.return?.();
    } catch {
      // The producer failing while being shut down changes nothing for us.
    }
  }

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new Error('concurrent reads from a tar stream (read entry bodies before requesting the next entry)');
    this.#busy = true;
    this.#endLend();
    try {
      return await fn();
    } finally {
      this.#busy = false;
    }
  }

  async #fill(): Promise<boolean> {
    while (!this.#done) {
      const r = await this.#it.next();
      if (r.done === true) {
        this.#done = true;
        break;
      }
      const chunk = toBuffer(r.value);
      if (chunk.length === 0) continue;
      // Only all of a memory: a part may share it with something else.
      if (this.#freeable && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer) {
        this.#freeable.add(chunk.buffer);
      }
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      return true;
    }
    return false;
  }

  /**
   * The caller of the last lending read called again: the memory lent is
   * freed if the reader has passed all of it, i.e. it is no longer the head
   * chunk's (a freeable chunk is all of its memory, so no other chunk has it).
   */
  #endLend(): void {
    const memory = this.#lent;
    if (memory === undefined) return;
    this.#lent = undefined;
    if (this.#chunks[this.#head]?.buffer !== memory && this.#freeable?.has(memory)) releaseMemory(memory);
  }

  #take(n: number, lend = false): Buffer {
    const first = this.#chunks[this.#head];
    if (n === 0 || first === undefined) return Buffer.alloc(0);
    if (first.length >= n) {
      const out = first.subarray(0, n);
      const memory = first.buffer as ArrayBuffer;
      if (lend && this.#freeable?.has(memory)) this.#lent = memory;
      else this.#freeable?.delete(memory); // whoever takes a view may keep it
      this.#discard(n);
      return out;
    }
    // Spans several chunks (only happens for headers or tiny producer chunks): copy once.
    const out = Buffer.allocUnsafe(n);
    let pos = 0;
    while (pos < n) {
      const chunk = this.#chunks[this.#head]!;
      const k = Math.min(chunk.length, n - pos);
      chunk.copy(out, pos, 0, k);
      this.#discard(k);
      pos += k;
    }
    return out;
  }

  #discard(n: number): void {
    this.#buffered -= n;
    this.offset += n;
    while (n > 0) {
      const chunk = this.#chunks[this.#head]!;
      if (chunk.length > n) {
        this.#chunks[this.#head] = chunk.subarray(n);
        return;
      }
      n -= chunk.length;
      this.#head++;
      const memory = chunk.buffer as ArrayBuffer;
      if (memory !== this.#lent && this.#freeable?.has(memory)) releaseMemory(memory); // a lent one goes at #endLend
    }
    // Compact so consumed chunks can be garbage-collected.
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}

function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('tar source must yield Buffer or Uint8Array chunks');
}
