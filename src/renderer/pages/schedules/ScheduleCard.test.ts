/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * A schedule card says a failure once: while the password-missing warning
 * shows (which says why runs fail and what to do), the failed run's message
 * is not repeated under it; another failure's message is shown. At 1280×800
 * and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { card, cardText } from '../../../../test/renderer-harness/cards.ts';
import { schedule as anySchedule } from '../../../../test/renderer-harness/fixtures.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

/** Keeps daily versions only (the card's text is about its failures). */
const schedule = (over: Partial<ScheduleStatus>): ScheduleStatus => anySchedule({ retention: { daily: 7 }, ...over });

const failedAt = new Date(Date.now() - 3600_000).toISOString();
const LOCKED_OUT = "backup 'vault' is encrypted and its password is not remembered in the test keychain";

describeInHarness('ScheduleCard: one failure said once (component, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`the password warning replaces the failed run's message (${size}, ${colorScheme})`, async () => {
        const schedules = [
          schedule({ name: 'vault', backup: 'vault', passwordMissing: true, lastRun: { at: failedAt, outcome: 'failed', message: LOCKED_OUT } }),
          schedule({ name: 'disk', lastRun: { at: failedAt, outcome: 'failed', message: 'no space left on the device holding the backups' } }),
        ];
        const h = await harness.open({ view: 'schedules' }, {
          context: { colorScheme, viewport },
          before: (p) => p.reply('schedules.list', { result: { paused: false, schedules } }),
        });
        try {
          await card(h, 'vault').waitFor();
          const vault = await cardText(h, 'vault');
          assert.match(vault, /Runs will fail: the password of “vault” is not remembered on this computer\./);
          assert.match(vault, /Failed/);
          assert.doesNotMatch(vault, /is encrypted and its password is not remembered in the test keychain/, 'said once, by the warning');
          assert.match(await cardText(h, 'disk'), /No space left on the device holding the backups/);
          await h.screenshot(`component-schedule-card-failure-once-${size}-${colorScheme}.png`);
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }
});
