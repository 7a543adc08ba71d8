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
  /** Parts made for this queue alone: freed once the store wrote them. */
  private readonly owned = new WeakSet<Buffer>();
  /** Whether the store says when parts are written (else owned parts are left to the collector, and counted for it). */
  private readonly storeFrees: boolean;
  private ended = false;
  private failure: { reason: unknown } | undefined;
  private wake: (() => void) | undefined;
  private readonly drainWaiters: { limit: number; resolve: () => void }[] = [];
  /** Bytes pushed but not yet taken by the consumer. */
  queuedBytes = 0;

  /** `storeFrees`: the store calls written() for every part (StorageBackend.freesParts). */
  constructor(storeFrees = false) {
    this.storeFrees = storeFrees;
  }

  /** `owned`: nothing else holds `part` (a sealed segment), so it may be freed once written. */
  push(part: Buffer, owned = false): void {
    if (this.ended || this.failure) return;
    if (owned) this.owned.add(part);
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
        if (!this.storeFrees && this.owned.has(part)) reclaimAfter(part.length);
        yield part;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  written(part: Buffer): void {
    if (this.owned.delete(part)) release(part);
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
