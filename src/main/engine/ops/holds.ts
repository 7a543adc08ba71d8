import type { RetainingStore } from '../storage/backend.ts';

/**
 * What a store with retention (append-only mode) still holds among the
 * objects an operation meant to delete: how many, and until when the last of
 * them is held. Without retention nothing is ever held.
 */
export class Holds {
  private readonly store: RetainingStore | undefined;
  count = 0;
  until: Date | undefined;

  constructor(store: RetainingStore | undefined) {
    this.store = store;
  }

  /** The date `key` is held until, counted and remembered; undefined when it may be deleted now. */
  async check(key: string): Promise<Date | undefined> {
    if (!this.store) return undefined;
    const until = await this.store.heldUntil(key);
    if (until) this.note(until);
    return until;
  }

  note(until: Date): void {
    this.count++;
    if (!this.until || until > this.until) this.until = until;
  }
}
