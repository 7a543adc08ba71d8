/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The restore wizard's review names the storage target the backup is read
 * from, and the page's header line says a folder on this computer is a
 * destination too. At 1280×800 and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Locator } from 'playwright-core';
import { backup, version } from '../../../../test/renderer-harness/backup-fixtures.ts';
import { target } from '../../../../test/renderer-harness/fixtures.ts';
import { EMPTY_ENGINE, FakeApi } from '../../../../test/renderer-harness/fake-api.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';
import { RESULTS_DIR, type HarnessPage } from '../../../../test/renderer-harness/harness.ts';

const V = version('20310301T120000Z-bbbb', { volumes: ['pgdata'] });
const text = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ');

/** From the chosen version, through the wizard to its review, restoring everything into a host folder. */
async function toReviewIntoFolder(h: HarnessPage): Promise<void> {
  const next = h.page.getByRole('button', { name: 'Next' });
  await next.click();
  await h.page.getByRole('heading', { name: /Choose what to restore/ }).waitFor();
  await next.click();
  await h.page.getByRole('heading', { name: /Choose where to restore it/ }).waitFor();
  await h.page.getByRole('radio', { name: /A folder on this computer/ }).check();
  await h.page.getByLabel('Folder', { exact: true }).fill('/srv/restored');
  await next.click();
  await h.page.getByRole('heading', { name: /Check and start/ }).waitFor();
}

describeInHarness('Restore: the review names the storage target (component, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`restoring from offsite into a folder: the review says "Storage Target offsite" (${size}, ${colorScheme})`, async () => {
        const fake = new FakeApi({
          ...EMPTY_ENGINE,
          'targets.list': [{ result: [target({ name: 'nas', isDefault: true }), target({ name: 'offsite', location: '/mnt/offsite', settings: { path: '/mnt/offsite' } })] }],
          'backups.list': [{ when: { target: 'offsite' }, result: [backup('far', { encrypted: false, latest: V })] }, { result: [backup('near', { encrypted: false, latest: V })] }],
          'backups.versions': [{ result: [V] }],
        });
        const h = await harness.open({ view: 'pages', page: 'restore' }, { fake, context: { colorScheme, viewport } });
        try {
          const header = h.page.locator('.page-header p.muted');
          assert.equal(await header.textContent(), 'Bring a backup back into a Docker volume or a folder on this computer: all of it, or chosen files and folders.');
          await h.page.getByLabel('Storage target').selectOption('offsite');
          await h.page.getByLabel('Backup', { exact: true }).selectOption('far');
          await h.page.locator(`input[type=radio][value="${V.id}"]:checked`).waitFor();
          await toReviewIntoFolder(h);
          const summary = await text(h.page.locator('dl.br-summary'));
          assert.match(summary, /Backup far · not encrypted Storage Target offsite · \/mnt\/offsite Version/);
          await h.page.screenshot({ path: `${RESULTS_DIR}/glue-restore-review-${size}-${colorScheme}.png`, fullPage: true });
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }

  it('with one store only, the review says it is the default store', async () => {
    const fake = new FakeApi({ ...EMPTY_ENGINE, 'backups.list': [{ result: [backup('near', { encrypted: false, latest: V })] }], 'backups.versions': [{ result: [V] }] });
    const h = await harness.open({ view: 'pages', page: 'restore', intent: { backup: 'near', version: V.id } }, { fake });
    try {
      await h.page.locator(`input[type=radio][value="${V.id}"]:checked`).waitFor();
      await toReviewIntoFolder(h);
      assert.match(await text(h.page.locator('dl.br-summary')), /Storage Default store · \/var\/lib\/dvom\/backups Version/);
    } finally {
      await h.close();
    }
  });
});
