import { after, before, describe, it } from 'node:test';
import { harnessSkipReason, startHarness, type Harness, type StartOptions } from './harness.ts';

/**
 * A suite of component tests in Chromium: skipped, with the reason, where
 * Chromium is missing; else one harness is started before its tests and
 * closed after them. `tests` declares the tests and opens pages with
 * `harness.open` (the harness started for them).
 */
export function describeInHarness(title: string, tests: (harness: Pick<Harness, 'open'>) => void, options: StartOptions = {}): void {
  const skip = harnessSkipReason();
  if (skip) {
    it(title, { skip }, () => undefined);
    return;
  }
  describe(title, () => {
    let started: Harness | undefined;
    before(async () => {
      // Everything here is local and quick: fail fast instead of after Playwright's 30 s.
      started = await startHarness({ timeoutMs: 5_000, ...options });
    });
    after(async () => {
      await started?.close();
    });
    tests({
      open: (view, opts) => {
        if (!started) throw new Error('the harness is not started yet: open pages inside a test');
        return started.open(view, opts);
      },
    });
  });
}
