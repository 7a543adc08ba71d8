import { reclaimAfter, release } from '../memory.ts';
import type { PartsBody } from '../storage/backend.ts';

/**
 * A one-producer, one-consumer queue of buffers that is itself the body of a
 * store put: a pack flows to the store while it is being built, instead of
 * being held whole in memory first. The producer ends it (the put completes)
 * or fails it (the put fails and leaves nothing behind).
 */
export class PartQueue implements PartsBody {
  private parts: Buffer[] = [];
  /** Whether the parts are made for this queue alone (an encrypting pack's sealed segments): freed once written. */
  private readonly owned: boolean;
  /** Whether the store says when parts are written (else owned parts are left to the collector, and counted for it). */
  private readonly storeFrees: boolean;
  private ended = false;
  private failure: { reason: unknown } | undefined;
  private wake: (() => void) | undefined;
  private readonly drainWaiters: { limit: number; resolve: () => void }[] = [];
  /** Bytes pushed but not yet taken by the consumer. */
  queuedBytes = 0;

  /**
   * `owned`: nothing else holds the parts pushed (an encrypting encoder's
   * output), so each may be freed once written; `storeFrees`: the store calls
   * written() for every part (StorageBackend.freesParts).
   */
  constructor(owned: boolean, storeFrees = false) {
    this.owned = owned;
    this.storeFrees = storeFrees;
  }

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
        if (this.owned && !this.storeFrees) reclaimAfter(part.length);
        yield part;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  written(part: Buffer): void {
    if (this.owned) release(part);
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
