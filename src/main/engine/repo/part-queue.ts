/**
 * A one-producer, one-consumer queue of buffers that is itself the body of a
 * store put: a pack flows to the store while it is being built, instead of
 * being held whole in memory first. The producer ends it (the put completes)
 * or fails it (the put fails and leaves nothing behind).
 */
export class PartQueue implements AsyncIterable<Buffer> {
  private parts: Buffer[] = [];
  private ended = false;
  private failure: { reason: unknown } | undefined;
  private wake: (() => void) | undefined;
  private readonly drainWaiters: { limit: number; resolve: () => void }[] = [];
  /** Bytes pushed but not yet taken by the consumer. */
  queuedBytes = 0;

  push(part: Buffer): void {
    if (this.ended || this.failure) return;
    this.parts.push(part);
    this.queuedBytes += part.length;
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(reason: unknown): void {
    this.failure ??= { reason };
    this.parts = [];
    this.queuedBytes = 0;
    this.notify();
    this.releaseDrained();
  }

  /** Resolves once the consumer has taken all but `limit` bytes (or the queue failed). */
  drained(limit: number): Promise<void> {
    if (this.queuedBytes <= limit) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ limit, resolve }));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure.reason;
      const part = this.parts.shift();
      if (part) {
        this.queuedBytes -= part.length;
        this.releaseDrained();
        yield part;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private releaseDrained(): void {
    for (let i = this.drainWaiters.length - 1; i >= 0; i--) {
      const waiter = this.drainWaiters[i]!;
      if (this.queuedBytes > waiter.limit) continue;
      this.drainWaiters.splice(i, 1);
      waiter.resolve();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
