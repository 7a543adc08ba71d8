/* eslint-disable no-restricted-imports -- this file runs in Node (the test side), not in the page. */
import { after, before, describe, it } from 'node:test';
import { harnessSkipReason, startHarness, type Harness } from './harness-runner.ts';

/**
 * A suite of component tests in Chromium: skipped, with the reason, where
 * Chromium is missing; else one harness is started before its tests and
 * closed after them. `tests` declares the tests and opens pages with
 * `harness.open` (the harness started for them).
 */
export function describeInHarness(title: string, tests: (harness: Pick<Harness, 'open'>) => void): void {
  const skip = harnessSkipReason();
  if (skip) {
    it(title, { skip }, () => undefined);
    return;
  }
  describe(title, () => {
    let started: Harness | undefined;
    before(async () => {
      started = await startHarness();
    });
    after(async () => {
      await started?.close();
    });
    tests({
      open: (view, options) => {
        if (!started) throw new Error('the harness is not started yet: open pages inside a test');
        return started.open(view, options);
      },
    });
  });
}
