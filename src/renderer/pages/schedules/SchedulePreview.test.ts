/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The schedule editor's preview and the "Only versions this schedule made"
 * switch (issue 14, item 7): on for a new schedule and sent with the preview;
 * with it on, the preview says the other versions stay; turned off, it warns
 * that the run would remove versions this schedule did not make, and says
 * who made them. At 1280×800 and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ParamsOf, SchedulePreview } from '../../../shared/api/contract.ts';
import { backup, volume } from '../../../../test/renderer-harness/fixtures.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';
import { assertReadable } from '../../../../test/renderer-harness/contrast.ts';

const RUNS = [0, 1, 2, 3, 4].map((i) => new Date(Date.parse('2031-05-06T10:00:00.000Z') + i * 3600_000).toISOString());
const mine = { kind: 'schedule' as const, schedule: 'hourly' };

/** What the engine answers: with the switch on, only this schedule's versions are decided on. */
function preview(p: ParamsOf<'schedules.preview'>): SchedulePreview {
  if (p.ownVersionsOnly) {
    return {
      nextRuns: RUNS,
      retention: { keep: [{ id: 'v6', createdAt: '2031-05-06T09:00:00.000Z', reasons: ['last'], origin: mine }], remove: [{ id: 'v5', createdAt: '2031-05-06T08:00:00.000Z', origin: mine }], untouched: 3 },
    };
  }
  return {
    nextRuns: RUNS,
    retention: {
      keep: [{ id: 'v6', createdAt: '2031-05-06T09:00:00.000Z', reasons: ['last'], origin: mine }],
      remove: [
        { id: 'v5', createdAt: '2031-05-06T08:00:00.000Z', origin: mine },
        { id: 'v4', createdAt: '2031-05-06T07:30:00.000Z', origin: { kind: 'manual' } },
        { id: 'v3', createdAt: '2031-05-05T07:00:00.000Z', origin: { kind: 'schedule', schedule: 'nightly' } },
        { id: 'v2', createdAt: '2031-05-04T07:00:00.000Z', origin: { kind: 'unknown' } },
      ],
    },
  };
}

describeInHarness('Schedule preview: versions this schedule did not make (component, in Chromium)', (harness) => {
  it('an encrypted backup whose password is not remembered: says which versions it made cannot be shown', async () => {
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', { result: { paused: false, schedules: [] } });
        await p.reply('volumes.list', { result: [volume({ name: 'pgdata' })] });
        await p.reply('backups.list', { result: [backup({ name: 'pgdata', versions: 5, encrypted: false })] });
        await p.reply('schedules.preview', {
          result: { nextRuns: RUNS, retention: { keep: [], remove: [], untouched: 5, originsUnknown: true } },
        });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'Create a schedule' }).click();
      await h.page.getByRole('group', { name: 'Volumes' }).getByRole('checkbox', { name: 'pgdata' }).check();
      const aside = h.page.getByRole('complementary', { name: 'Preview' });
      await aside.getByText(/its password is not remembered here, so this cannot show which ones its rules would remove/).waitFor();
      assert.equal(await aside.getByText(/has made no versions/).count(), 0, 'never claims it made none');
    } finally {
      await h.close();
    }
  });

  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`keeps other versions out by default, and warns when that is turned off (${size}, ${colorScheme})`, async () => {
        const h = await harness.open({ view: 'schedules' }, {
          context: { timezoneId: 'UTC', locale: 'en-GB', colorScheme, viewport },
          before: async (p) => {
            await p.reply('schedules.list', { result: { paused: false, schedules: [] } });
            await p.reply('volumes.list', { result: [volume({ name: 'pgdata' })] });
            await p.reply('backups.list', { result: [backup({ name: 'pgdata', versions: 5, encrypted: false })] });
            await p.reply('schedules.preview', { handle: preview });
          },
        });
        try {
          const page = h.page;
          await page.getByRole('button', { name: 'Create a schedule' }).click();
          await page.getByLabel('Schedule name').fill('hourly');
          await page.getByRole('group', { name: 'Volumes' }).getByRole('checkbox', { name: 'pgdata' }).check();
          const own = page.getByRole('switch', { name: 'Only versions this schedule made' });
          assert.equal(await own.isChecked(), true, 'on for a new schedule');
          const aside = page.getByRole('complementary', { name: 'Preview' });
          await aside.getByText(/3 other versions .* stay: the rules apply only to versions this schedule made\./).waitFor();
          await h.waitForCalls('schedules.preview', (calls) => calls.at(-1)?.backup === 'pgdata' && calls.at(-1)?.schedule === 'hourly');
          assert.equal((await h.calls('schedules.preview')).at(-1)?.ownVersionsOnly, true);
          assert.equal(await aside.getByRole('alert').count(), 0, 'no warning: only its own versions go');

          await own.scrollIntoViewIfNeeded();
          await own.click();
          const warning = aside.getByRole('alert');
          await warning.waitFor();
          const text = (await warning.innerText()).replace(/\s+/g, ' ');
          assert.match(text, /^3 versions this schedule did not make would be removed: 1 made by hand or from the command line, 1 made by another schedule, 1 whose maker is not known/);
          assert.match(text, /Turn on “Only versions this schedule made” under Keep/);
          const removed = aside.getByRole('list', { name: 'Versions that would be removed' });
          assert.match((await removed.getByRole('listitem').nth(1).innerText()).replace(/\s+/g, ' '), /By hand/);
          assert.match((await removed.getByRole('listitem').nth(2).innerText()).replace(/\s+/g, ' '), /Schedule nightly/);
          await assertReadable({ warning: warning.locator('strong'), removedBy: removed.getByText('By hand') });
          await warning.scrollIntoViewIfNeeded();
          await h.screenshot(`component-schedule-foreign-warning-${size}-${colorScheme}.png`);
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }
});
