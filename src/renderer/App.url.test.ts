/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The address keeps where the app is (issue 14, item 5), in Chromium over a
 * fake API: the page, the Backups page's storage target and its open backup
 * go into the hash; Back returns to them; an address typed in (or a reload)
 * opens them.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { backup, version } from '../../test/renderer-harness/backup-fixtures.ts';
import { target } from '../../test/renderer-harness/fixtures.ts';
import { EMPTY_ENGINE, FakeApi } from '../../test/renderer-harness/fake-api.ts';
import type { HarnessPage } from '../../test/renderer-harness/harness.ts';
import { describeInHarness } from '../../test/renderer-harness/suite.ts';

/** Waits until the address's hash is `expected` (the app writes it after rendering). */
async function hashIs(h: HarnessPage, expected: string): Promise<void> {
  await h.page.waitForFunction((e) => window.location.hash === e, expected).catch(async () => {
    assert.equal(await h.page.evaluate(() => window.location.hash), expected);
  });
}

describeInHarness('App: the page, target and open backup in the address (app, in Chromium)', (harness) => {
  it('writes them to the hash, and follows Back and an address typed in', async () => {
    const fake = new FakeApi({
      ...EMPTY_ENGINE,
      'targets.list': [{ result: [target({ name: 'nas', isDefault: true }), target({ name: 'offsite', location: '/mnt/offsite', settings: { path: '/mnt/offsite' } })] }],
      'backups.list': [{ when: { target: 'offsite' }, result: [backup('far')] }, { result: [backup('pgdata')] }],
      'backups.versions': [{ result: [version('20310101T100000Z-aaaa')] }],
    });
    const h = await harness.open({ view: 'app' }, { fake });
    try {
      const nav = h.page.getByRole('navigation', { name: 'Main' });
      await hashIs(h, '#/volumes');
      await nav.getByRole('button', { name: 'Backups' }).click();
      await h.page.getByRole('button', { name: 'pgdata', exact: true }).waitFor();
      await hashIs(h, '#/backups');

      await h.page.getByLabel('Storage target').selectOption('offsite');
      await h.page.getByRole('button', { name: 'far', exact: true }).click();
      await h.page.getByRole('table', { name: 'Versions of far' }).waitFor();
      await hashIs(h, '#/backups/far?target=offsite');

      await nav.getByRole('button', { name: 'Activity' }).click();
      await hashIs(h, '#/activity');
      await h.page.goBack();
      await h.page.getByRole('table', { name: 'Versions of far' }).waitFor();
      assert.equal((await h.navigation()).page, 'backups');

      // An address typed in: the default store's pgdata, opened.
      await h.page.evaluate(() => (window.location.hash = '#/backups/pgdata'));
      await h.page.getByRole('table', { name: 'Versions of pgdata' }).waitFor();
      await hashIs(h, '#/backups/pgdata');
      const sent = (await h.calls('backups.versions')).map((p) => JSON.stringify(p));
      assert.deepEqual([...new Set(sent)], [JSON.stringify({ backup: 'far', target: 'offsite' }), JSON.stringify({ backup: 'pgdata' })], 'each on its own store');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });
});
