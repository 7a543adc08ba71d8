/**
 * The contract between a component test (Node: node:test, playwright-core and
 * the FakeApi) and the harness page it drives (page/main.tsx, built by
 * Vite): the page calls the test's fake API through one exposed binding, and
 * exposes `window.harness` to mount what is tested. Typed here for both sides.
 */
import type { ApiErrorShape, VolumeDto } from '../../src/shared/api/dto.ts';
import type { PageId, PageIntent } from '../../src/renderer/state/navigation-store.ts';

/** What can be mounted on the harness page. */
export type HarnessView =
  | { view: 'app' }
  | { view: 'activity' }
  | { view: 'schedules' }
  /** The Settings page in the app's shell (sidebar and content). */
  | { view: 'settings' }
  /** The page the navigation store shows, starting at `page`: Backups and Restore in full, any other by its name only. */
  | { view: 'pages'; page: PageId; intent?: PageIntent }
  | { view: 'backup-dialog'; volume: VolumeDto }
  | { view: 'dialog-demo' };

/** A call's outcome as it crosses from the test (Node) into the page. */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

/**
 * The binding the test exposes to the page. `generation` counts the page's
 * resets, so a call made before one is answered by the fake it was made to.
 */
export type InvokeBinding = (generation: number, method: string, params: unknown) => Promise<BridgeReply>;
export const INVOKE_BINDING = 'dvomHarnessInvoke';

export interface HarnessControl {
  mount(view: HarnessView): void;
  /** Unmounts, and starts over with a new API client and every store as it was at load; returns the new generation. */
  reset(): number;
  /** Pushes an event from the test's fake API to the page's listeners of `generation`. */
  deliver(generation: number, event: string, payload: unknown): void;
  /** How many calls the current generation has sent (the test waits until its fake has them all). */
  sent(): number;
  /** The page the navigation store shows, and what it was opened for. */
  navigation(): { page: string; intent: unknown };
  /** How often the mounted dialog asked to close (backup-dialog, dialog-demo). */
  closes(): number;
}

declare global {
  interface Window {
    harness: HarnessControl;
    /** Set before the page loads (a page of its own): mounted at load, and again after a reload. */
    harnessView?: HarnessView;
    dvomHarnessInvoke?: InvokeBinding;
  }
}
