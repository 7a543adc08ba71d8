/**
 * The contract between a component test (Node, node:test + playwright-core)
 * and the harness page it drives (harness.tsx, built by Vite): the page
 * exposes `window.harness`, typed here for both sides.
 */
import type { ApiEvent, ApiEvents, ApiMethod, ParamsOf, ResultOf } from '../../shared/api/contract.ts';
import type { ApiErrorShape, VolumeDto } from '../../shared/api/dto.ts';

/** How the fake engine answers a call: a result, an error, or not yet (until released). */
export type Reply<M extends ApiMethod> =
  | { result: ResultOf<M>; delayMs?: number }
  | { error: ApiErrorShape; delayMs?: number }
  | { pending: true };

export interface RecordedCall {
  method: ApiMethod;
  params: unknown;
}

/** What can be mounted on the harness page. */
export type HarnessView =
  | { view: 'app' }
  | { view: 'activity' }
  | { view: 'schedules' }
  | { view: 'backup-dialog'; volume: VolumeDto }
  | { view: 'dialog-demo' };

export interface HarnessControl {
  /** The reply for every later call of `method` (replaces the default). */
  reply<M extends ApiMethod>(method: M, reply: Reply<M>): void;
  /** The reply for the next call of `method` only; queued before the standing reply. */
  replyOnce<M extends ApiMethod>(method: M, reply: Reply<M>): void;
  /** Answers the oldest pending call of `method`; false when none is pending. */
  release<M extends ApiMethod>(method: M, reply: Exclude<Reply<M>, { pending: true }>): boolean;
  /** Pushes an event as the engine would. */
  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void;
  /** Every call so far, in order. */
  calls(): RecordedCall[];
  mount(view: HarnessView): void;
  /** Unmounts, and starts over with a new fake API and every store as it was at load. */
  reset(): void;
  /** The page the navigation store shows, and what it was opened for. */
  navigation(): { page: string; intent: unknown };
  /** How often the mounted dialog asked to close (backup-dialog, dialog-demo). */
  closes(): number;
}

export type CallParams<M extends ApiMethod> = ParamsOf<M>;

declare global {
  interface Window {
    harness: HarnessControl;
  }
}
