/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The first-launch note (issue 14, item 9), in the app's shell: it says where
 * backups go (the default target, else the store in use), that encryption is
 * on by default, and that schedules run while the app or `dvom serve` runs;
 * the app stays usable under it, and once dismissed it does not come back
 * (this browser profile). At 1280×800 and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

describeInHarness('FirstLaunch (component, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`says where backups go, that they are encrypted and when schedules run, until dismissed (${size}, ${colorScheme})`, async () => {
        const h = await harness.open({ view: 'app' }, {
          context: { colorScheme, viewport },
          before: async (p) => {
            await p.reply('targets.list', { result: [{ name: 'nas', type: 'local', location: '/mnt/nas/dvom', isDefault: true, settings: { path: '/mnt/nas/dvom' } }] });
          },
        });
        try {
          const note = h.page.getByRole('region', { name: 'Welcome to DVOM' });
          await note.getByText('nas (/mnt/nas/dvom)').waitFor();
          const text = (await note.innerText()).replace(/\s+/g, ' ');
          assert.match(text, /Encrypted by default/);
          assert.match(text, /Schedules run while DVOM runs: the app \(or dvom serve\) must be running/);
          await h.screenshot(`component-first-launch-${size}-${colorScheme}.png`);
          // Not a modal: the app can be used at once.
          await h.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Activity' }).click();
          await note.getByRole('button', { name: 'Got it' }).click();
          await note.waitFor({ state: 'detached' });
          await h.page.reload();
          await h.page.waitForFunction(() => document.documentElement.dataset.harness === 'ready');
          await h.page.getByRole('navigation', { name: 'Main' }).waitFor();
          assert.equal(await h.page.getByRole('region', { name: 'Welcome to DVOM' }).count(), 0, 'remembered');
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }
});
