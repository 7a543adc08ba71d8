/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * With more than one storage target, the Delete backup/version dialogs name
 * the one it is deleted from (the same backup name can be on several), and
 * the delete goes there. At 1280×800 and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Locator } from 'playwright-core';
import { backup, version } from '../../../../test/renderer-harness/backup-fixtures.ts';
import { target } from '../../../../test/renderer-harness/fixtures.ts';
import { EMPTY_ENGINE, FakeApi } from '../../../../test/renderer-harness/fake-api.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

const V_NEW = version('20310301T120000Z-bbbb');
const V_OLD = version('20310201T120000Z-aaaa');
const text = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ');

describeInHarness('Backups: Delete names the storage target (component, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`on offsite, both dialogs say "from storage target offsite" and delete there (${size}, ${colorScheme})`, async () => {
        const fake = new FakeApi({
          ...EMPTY_ENGINE,
          'targets.list': [{ result: [target({ name: 'nas', isDefault: true }), target({ name: 'offsite', location: '/mnt/offsite', settings: { path: '/mnt/offsite' } })] }],
          'backups.list': [{ when: { target: 'offsite' }, result: [backup('far', { encrypted: false, versions: 2, latest: V_NEW })] }, { result: [backup('far', { encrypted: false })] }],
          'backups.versions': [{ result: [V_NEW, V_OLD] }],
          'backups.delete': [{ result: { deleted: 'ok' } }],
        });
        const h = await harness.open({ view: 'pages', page: 'backups' }, { fake, context: { colorScheme, viewport } });
        try {
          await h.page.getByLabel('Storage target').selectOption('offsite');
          await h.page.getByRole('button', { name: 'far', exact: true }).click();
          const versions = h.page.getByRole('table', { name: 'Versions of far' });
          await versions.getByRole('button', { name: /^Delete the version from/ }).first().click();
          let dialog = h.page.getByRole('dialog', { name: 'Delete this version?' });
          assert.match(await text(dialog), new RegExp(`deletes the version of far created .* \\(${V_NEW.id}\\) from storage target offsite\\. The other version is kept\\.`));
          await h.screenshot(`glue-delete-version-${size}-${colorScheme}.png`);
          await dialog.getByRole('button', { name: 'Cancel' }).click();

          await h.page.getByRole('button', { name: 'Delete backup…' }).click();
          dialog = h.page.getByRole('dialog', { name: 'Delete backup far?' });
          assert.match(await text(dialog), /deletes the backup far from storage target offsite with all 2 versions/);
          await h.screenshot(`glue-delete-backup-${size}-${colorScheme}.png`);
          await dialog.getByRole('button', { name: 'Delete backup' }).click();
          await dialog.waitFor({ state: 'detached' });
          assert.deepEqual(await h.calls('backups.delete'), [{ backup: 'far', target: 'offsite' }]);
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }

  it('with only the default store, the dialog names no store', async () => {
    const fake = new FakeApi({ ...EMPTY_ENGINE, 'backups.list': [{ result: [backup('near', { encrypted: false })] }], 'backups.versions': [{ result: [V_NEW] }] });
    const h = await harness.open({ view: 'pages', page: 'backups' }, { fake });
    try {
      await h.page.getByRole('button', { name: 'near', exact: true }).click();
      await h.page.getByRole('button', { name: 'Delete backup…' }).click();
      const said = await text(h.page.getByRole('dialog', { name: 'Delete backup near?' }));
      assert.match(said, /deletes the backup near with /);
      assert.doesNotMatch(said, /from (storage target|the default store)/);
    } finally {
      await h.close();
    }
  });
});
