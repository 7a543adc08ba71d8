/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * Activity cards (issue 14, item 9): a finished job links to its backup; a
 * failed scheduled run has Retry (runs the schedule now); start times always
 * carry their day ("today", "yesterday", a date). At 1280×800 and 800×600,
 * light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { job, progress } from '../../../../test/renderer-harness/fixtures.ts';
import { card, cardText } from '../../../../test/renderer-harness/cards.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();

describeInHarness('Activity: links, Retry and dates (component, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`a failed scheduled run can be retried and its backup opened (${size}, ${colorScheme})`, async () => {
        const yesterday = new Date();
        yesterday.setDate(yesterday.getDate() - 1);
        yesterday.setHours(12, 0, 0, 0);
        const failed = job({
          title: 'Scheduled backup hourly (run of 2031-05-06 10:00:00): pgdata to pgdata',
          state: 'failed',
          startedAt: new Date(Date.now() - 60_000).toISOString(),
          finishedAt: new Date().toISOString(),
          progress: progress({ bytesDone: 25, bytesTotal: 100 }),
          error: { code: 'DOCKER_UNAVAILABLE', message: 'cannot reach Docker' },
          backup: 'pgdata',
          schedule: 'hourly',
        });
        const manual = job({
          title: 'Back up media to media',
          state: 'succeeded',
          startedAt: yesterday.toISOString(),
          finishedAt: yesterday.toISOString(),
          result: 'Version of 2031-05-05 12:00:00: 3 files, 1.00 MiB; 4.00 KiB of new data stored (99% was already in the backup)',
          backup: 'media',
        });
        const old = job({ title: 'Verify archive', kind: 'verify', state: 'succeeded', startedAt: hoursAgo(24 * 40), finishedAt: hoursAgo(24 * 40), result: 'Intact: all 3 versions checked' });
        const h = await harness.open({ view: 'activity' }, {
          context: { colorScheme, viewport },
          before: async (p) => {
            await p.reply('jobs.list', { result: [failed, manual, old] });
            await p.reply('schedules.runNow', { result: { jobId: 'job-00000000abcd' } });
          },
        });
        try {
          await card(h, failed.title).waitFor();
          assert.match(await cardText(h, failed.title), /started today, /);
          assert.match(await cardText(h, manual.title), /started yesterday, /);
          assert.doesNotMatch(await cardText(h, old.title), /today|yesterday/);
          assert.equal(await card(h, manual.title).getByRole('button', { name: /^Retry/ }).count(), 0, 'only scheduled runs that did not succeed');
          assert.equal(await card(h, old.title).getByRole('button').count(), 0, 'no backup named, nothing to open');
          await h.screenshot(`component-activity-actions-${size}-${colorScheme}.png`);

          await card(h, failed.title).getByRole('button', { name: `Retry ${failed.title}` }).click();
          await h.waitForCalls('schedules.runNow', (calls) => calls.length === 1);
          assert.deepEqual(await h.calls('schedules.runNow'), [{ name: 'hourly' }]);

          await card(h, manual.title).getByRole('button', { name: 'Open the backup media' }).click();
          assert.deepEqual(await h.navigation(), { page: 'backups', intent: { backup: 'media' } });
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }
});
