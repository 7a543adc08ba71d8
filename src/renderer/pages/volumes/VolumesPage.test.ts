/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The whole app in Chromium over a fake API: "Back up <volume>" on a Volumes
 * row opens the backup dialog, Start goes to Activity where the job shows.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { job, progress, volume } from '../../../../test/renderer-harness/fixtures.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

describeInHarness('Volumes page: Back up (app, in Chromium)', (harness) => {
  const volumes = [volume({ name: 'pgdata', usedBy: [{ name: 'db', running: true }] }), volume({ name: 'cache', size: null })];

  it('opens the dialog from a row, starts the backup and shows it on Activity', async () => {
    const started = job({ title: 'Back up pgdata to pgdata', progress: progress({ phase: 'scanning', bytesDone: 0, bytesTotal: undefined, filesTotal: undefined }) });
    const h = await harness.open({ view: 'app' }, {
      before: async (p) => {
        await p.reply('volumes.list', { result: volumes });
        await p.reply('jobs.startBackup', { result: { jobId: started.id } });
        await p.reply('jobs.list', { result: [started] });
      },
    });
    try {
      const row = h.page.getByRole('row', { name: /cache/ });
      await row.getByRole('button', { name: 'Back up cache' }).waitFor();
      await h.page.getByRole('button', { name: 'Back up pgdata' }).click();
      const dialog = h.page.getByRole('dialog', { name: 'Back up pgdata' });
      await dialog.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
      await dialog.getByLabel('Confirm password').fill('correct horse battery staple');
      await dialog.getByRole('button', { name: 'Start backup' }).click();

      await h.page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
      assert.equal(await dialog.count(), 0);
      assert.equal(await h.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Activity' }).getAttribute('aria-current'), 'page');
      const bar = h.page.getByRole('progressbar', { name: started.title });
      await bar.waitFor();
      assert.equal(await bar.getAttribute('aria-valuenow'), null, 'scanning: the total is not known yet');
      await h.emit('job.updated', { ...started, state: 'succeeded', finishedAt: new Date().toISOString(), result: 'Version x', progress: progress({ phase: 'done' }) });
      await h.page.waitForFunction((t) => document.querySelector(`[role=progressbar][aria-label="${t}"]`)?.getAttribute('aria-valuenow') === '100', started.title);
      const sent = await h.calls('jobs.startBackup');
      assert.deepEqual(sent[0]?.stopContainers, ['db']);
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('Escape closes the dialog and focus goes back to the row’s button', async () => {
    const h = await harness.open({ view: 'app' }, { before: (p) => p.reply('volumes.list', { result: volumes }) });
    try {
      const button = h.page.getByRole('button', { name: 'Back up cache' });
      await button.focus();
      await h.page.keyboard.press('Enter');
      const dialog = h.page.getByRole('dialog', { name: 'Back up cache' });
      await dialog.getByLabel('Backup name').waitFor();
      await h.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await h.focused(), 'button:Back up cache');
      assert.equal((await h.navigation()).page, 'volumes');
    } finally {
      await h.close();
    }
  });
});
