/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * "Open <backup>" on a finished job opens that backup, expanded, on the
 * storage target the job wrote to, whatever target the Backups page showed
 * before; the address says so (#/backups/NAME?target=T). In the whole app, at
 * 1280×800 and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { backup, version } from '../../../../test/renderer-harness/backup-fixtures.ts';
import { job, target } from '../../../../test/renderer-harness/fixtures.ts';
import { card } from '../../../../test/renderer-harness/cards.ts';
import { EMPTY_ENGINE, FakeApi } from '../../../../test/renderer-harness/fake-api.ts';
import type { HarnessPage } from '../../../../test/renderer-harness/harness.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

async function hashIs(h: HarnessPage, expected: string): Promise<void> {
  await h.page.waitForFunction((e) => window.location.hash === e, expected).catch(async () => {
    assert.equal(await h.page.evaluate(() => window.location.hash), expected);
  });
}

describeInHarness('Activity: Open backup opens it on its own storage target (app, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`opens the job's backup expanded on the job's target, and a default-store job's on the default store (${size}, ${colorScheme})`, async () => {
        const offsiteJob = job({ title: 'Back up media to media', state: 'succeeded', finishedAt: new Date().toISOString(), result: 'Version stored', backup: 'media', target: 'offsite' });
        const defaultJob = job({ title: 'Back up pgdata to pgdata', state: 'succeeded', finishedAt: new Date().toISOString(), result: 'Version stored', backup: 'pgdata' });
        const fake = new FakeApi({
          ...EMPTY_ENGINE,
          'targets.list': [{ result: [target({ name: 'nas', isDefault: true }), target({ name: 'offsite', location: '/mnt/offsite', settings: { path: '/mnt/offsite' } })] }],
          'backups.list': [{ when: { target: 'offsite' }, result: [backup('media')] }, { result: [backup('pgdata'), backup('media')] }],
          'backups.versions': [{ result: [version('20310101T100000Z-aaaa')] }],
          'jobs.list': [{ result: [offsiteJob, defaultJob] }],
        });
        const h = await harness.open({ view: 'app' }, { fake, context: { colorScheme, viewport } });
        try {
          const nav = h.page.getByRole('navigation', { name: 'Main' });
          await nav.getByRole('button', { name: 'Activity' }).click();
          await card(h, offsiteJob.title).waitFor();
          await h.screenshot(`glue-open-backup-activity-${size}-${colorScheme}.png`);

          // The Backups page shows the default store; the job wrote to offsite.
          await card(h, offsiteJob.title).getByRole('button', { name: 'Open the backup media' }).click();
          await h.page.getByRole('table', { name: 'Versions of media' }).waitFor();
          await hashIs(h, '#/backups/media?target=offsite');
          assert.equal(await h.page.getByLabel('Storage target').inputValue(), 'offsite');
          assert.equal(await h.page.getByRole('button', { name: 'media', exact: true }).getAttribute('aria-expanded'), 'true');
          assert.deepEqual((await h.calls('backups.versions')).at(-1), { backup: 'media', target: 'offsite' });
          await h.screenshot(`glue-open-backup-opened-${size}-${colorScheme}.png`);

          // Back to Activity: a job that named no target opens on the default store, leaving offsite.
          await nav.getByRole('button', { name: 'Activity' }).click();
          await card(h, defaultJob.title).getByRole('button', { name: 'Open the backup pgdata' }).click();
          await h.page.getByRole('table', { name: 'Versions of pgdata' }).waitFor();
          await hashIs(h, '#/backups/pgdata');
          assert.equal(await h.page.getByLabel('Storage target').inputValue(), 'nas');
          assert.deepEqual((await h.calls('backups.versions')).at(-1), { backup: 'pgdata' });
          assert.equal(await h.page.getByRole('table', { name: 'Versions of media' }).count(), 0, 'what was open on offsite is not carried over');
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }
});
