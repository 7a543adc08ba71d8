import type { ProgressEvent, ProgressListener, ProgressPhase } from '../../../shared/progress.ts';

/**
 * Counts work and emits progress events at most every `intervalMs`, with a
 * rate over a sliding window and an ETA when the total is known.
 */
export class ProgressMeter {
  private readonly listener: ProgressListener | undefined;
  private readonly intervalMs: number;
  private lastEmit = 0;
  private readonly samples: [number, number][] = [];
  readonly state: ProgressEvent;

  constructor(listener: ProgressListener | undefined, phase: ProgressPhase, intervalMs = 200) {
    this.listener = listener;
    this.intervalMs = intervalMs;
    this.state = { phase, bytesDone: 0, filesDone: 0 };
  }

  update(change: Partial<ProgressEvent>, force = false): void {
    Object.assign(this.state, change);
    if (!this.listener) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    this.samples.push([now, this.state.bytesDone]);
    while (this.samples.length > 2 && now - this.samples[0]![0] > 5000) this.samples.shift();
    const [t0, b0] = this.samples[0]!;
    const rate = now > t0 ? ((this.state.bytesDone - b0) * 1000) / (now - t0) : undefined;
    const event: ProgressEvent = { ...this.state };
    if (rate !== undefined && rate > 0) {
      event.rate = rate;
      if (this.state.bytesTotal !== undefined) {
        event.etaSeconds = Math.max(0, (this.state.bytesTotal - this.state.bytesDone) / rate);
      }
    }
    this.listener(event);
  }

  phase(phase: ProgressPhase): void {
    this.update({ phase }, true);
  }
}
