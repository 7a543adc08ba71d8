/** Time for the scheduler: the real one, or one a test moves by hand. */
export interface Clock {
  now(): Date;
  /** Calls `fn` once at `at` (at once if it has passed); returns a cancel function. */
  setTimer(at: Date, fn: () => void): () => void;
}

/**
 * The system clock. Timers do not keep the process alive (the host's server
 * or window does), and the scheduler never sets one further ahead than a
 * minute: timers count time the computer is awake, so a long one would fire
 * late after sleep.
 */
export const systemClock: Clock = {
  now: () => new Date(),
  setTimer(at, fn) {
    const timer = setTimeout(fn, Math.max(0, at.getTime() - Date.now()));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when told to; due timers fire in time order as it moves. */
export class TestClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  setTimer(at: Date, fn: () => void): () => void {
    const timer: PendingTimer = { at: at.getTime(), seq: this.seq++, fn };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /**
   * Moves to `to`, firing the timers due on the way at their own times. With
   * `jump`, time moves at once and overdue timers fire late, all at `to`
   * (a computer waking from sleep).
   */
  set(to: Date | string, options: { jump?: boolean } = {}): void {
    const target = new Date(to).getTime();
    if (target < this.current) throw new Error('a TestClock never goes back');
    if (options.jump) this.current = target;
    for (;;) {
      const next = [...this.timers].filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers.delete(next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }

  advance(ms: number, options: { jump?: boolean } = {}): void {
    this.set(new Date(this.current + ms), options);
  }

  /** Timers waiting (for tests of the scheduler's own timer handling). */
  pending(): Date[] {
    return [...this.timers].map((t) => new Date(t.at)).sort((a, b) => a.getTime() - b.getTime());
  }
}
