/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The whole app in Chromium over a fake API: "Back up <volume>" on a Volumes
 * row opens the backup dialog, Start goes to Activity where the job shows.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { it } from 'node:test';
import type { HarnessPage } from '../../../../test/renderer-harness/harness.ts';
import { job, progress, volume } from '../../../../test/renderer-harness/fixtures.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';
import { RESULTS_DIR } from '../../../../test/renderer-harness/harness.ts';

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

describeInHarness('Volumes page: stacks, search, sort, several at once, files (app, in Chromium)', (harness) => {
  const MiB = 1024 * 1024;
  const volumes = [
    volume({ name: 'shop_db', stack: 'shop', size: 300 * MiB, usedBy: [{ name: 'shop-db-1', running: true, image: 'postgres:16' }], lastBackup: { at: '2026-12-01T02:00:00.000Z', backup: 'shop', checked: true } }),
    volume({ name: 'shop_files', stack: 'shop', size: 40 * MiB, usedBy: [{ name: 'shop-web-1', running: true, image: 'nginx:1' }] }),
    volume({ name: 'cache', size: 5 * MiB, usedBy: [{ name: 'redis', running: true, image: 'redis:7' }], lastBackup: { at: '2026-12-05T02:00:00.000Z', backup: 'cache', checked: true } }),
    volume({ name: 'scratch', size: null }),
    volume({ name: 'photos', size: 900 * MiB, usedBy: [{ name: 'gallery', running: false }] }),
  ];
  const shots = RESULTS_DIR;
  const rowNames = (h: HarnessPage) => h.page.locator('.volumes-table tbody th[scope=row]').allInnerTexts();

  async function open(size: { width: number; height: number }, colorScheme: 'light' | 'dark' = 'light') {
    return harness.open({ view: 'app' }, { context: { viewport: size, colorScheme }, before: (p) => p.reply('volumes.list', { result: volumes }) });
  }

  it('groups volumes by Compose stack, those of no stack on their own; search and sort work within the groups', async () => {
    const h = await open({ width: 1280, height: 800 });
    try {
      const shop = h.page.getByRole('rowgroup', { name: 'Stack shop' });
      await shop.waitFor();
      assert.deepEqual(await shop.locator('th[scope=row]').allInnerTexts(), ['shop_db', 'shop_files']);
      assert.deepEqual(await h.page.getByRole('rowgroup', { name: 'Not in a stack' }).locator('th[scope=row]').allInnerTexts(), ['cache', 'photos', 'scratch']);

      await h.page.getByLabel('Sort by').selectOption('size');
      assert.deepEqual(await rowNames(h), ['shop_db', 'shop_files', 'photos', 'cache', 'scratch'], 'largest first, unknown size last');
      await h.page.getByLabel('Sort by').selectOption('last-backup');
      assert.deepEqual(await rowNames(h), ['shop_files', 'shop_db', 'photos', 'scratch', 'cache'], 'never backed up first');

      await h.page.getByRole('searchbox', { name: 'Search volumes' }).fill('RED');
      assert.deepEqual(await rowNames(h), ['cache'], 'found by its container’s name');
      await h.page.getByRole('searchbox', { name: 'Search volumes' }).fill('shop');
      assert.deepEqual(await rowNames(h), ['shop_files', 'shop_db'], 'found by the stack’s name');
      await h.page.getByRole('searchbox', { name: 'Search volumes' }).fill('nothing-like-it');
      await h.page.getByRole('heading', { name: 'No volume matches' }).waitFor();
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  for (const [size, scheme] of [
    [{ width: 1280, height: 800 }, 'light'],
    [{ width: 1280, height: 800 }, 'dark'],
    [{ width: 800, height: 600 }, 'light'],
    [{ width: 800, height: 600 }, 'dark'],
  ] as const) {
    it(`selects several volumes and backs them up together in one version (${size.width}x${size.height}, ${scheme})`, async () => {
      const started = job({ title: 'Back up cache, photos to together' });
      const h = await open(size, scheme);
      await h.reply('jobs.startBackup', { result: { jobId: started.id } });
      await h.reply('jobs.list', { result: [started] });
      try {
        const backUp = h.page.getByRole('button', { name: /^Back up (selected|\d together)/ });
        await backUp.waitFor();
        assert.equal(await backUp.isDisabled(), true, 'nothing selected yet');
        await h.page.getByRole('checkbox', { name: 'Select cache' }).check();
        await h.page.getByRole('checkbox', { name: 'Select photos' }).check();
        assert.equal(await backUp.innerText(), 'Back up 2 together');
        await fs.mkdir(shots, { recursive: true });
        await h.page.screenshot({ path: path.join(shots, `volumes-selected-${size.width}x${size.height}-${scheme}.png`) });
        // The table scrolls sideways in a narrow window instead of overflowing the page.
        const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `the page itself does not scroll sideways (${overflow}px)`);

        await backUp.click();
        const dialog = h.page.getByRole('dialog', { name: 'Back up 2 volumes' });
        await dialog.getByLabel('Backup name').fill('together');
        await dialog.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
        await dialog.getByLabel('Confirm password').fill('correct horse battery staple');
        await h.page.screenshot({ path: path.join(shots, `volumes-dialog-${size.width}x${size.height}-${scheme}.png`) });
        await dialog.getByRole('button', { name: 'Start backup' }).click();
        await h.page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
        const [sent] = await h.calls('jobs.startBackup');
        assert.deepEqual(sent?.volumes, ['cache', 'photos']);
        assert.deepEqual(sent?.stopContainers, ['redis'], 'running users of either volume; gallery is not running');
        assert.equal(sent?.backup, 'together');
        assert.deepEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });
  }

  it('backs up a whole stack through jobs.startStackBackup, one backup per volume when chosen, and offers hook presets for a database', async () => {
    const started = job({ title: 'Back up stack shop to shop' });
    const h = await open({ width: 1280, height: 800 });
    await h.reply('jobs.startStackBackup', { result: { jobId: started.id } });
    await h.reply('jobs.list', { result: [started] });
    try {
      await h.page.getByRole('button', { name: 'Back up stack shop' }).click();
      const dialog = h.page.getByRole('dialog', { name: 'Back up stack shop' });
      await dialog.getByLabel('Backup name').waitFor();
      assert.equal(await dialog.getByLabel('Backup name').inputValue(), 'shop');
      assert.match(await dialog.innerText(), /shop-db-1, shop-web-1\) are stopped during the backup, those that depend on others first/);
      await dialog.getByRole('checkbox', { name: 'One backup per volume' }).check();
      assert.match(await dialog.innerText(), /Backups shop-shop_db, shop-shop_files, one version each/);

      // PostgreSQL recognised by its image: the labels to add, dump or CHECKPOINT.
      await dialog.getByText('App-consistent copy: PostgreSQL in shop-db-1').click();
      const labels = dialog.getByLabel('Labels for shop-db-1');
      assert.match(await labels.innerText(), /dvom\.backup\.pre: 'sh -c ''pg_dumpall -U "\$POSTGRES_USER" > "\$PGDATA\/dvom-dump\.sql"'''/);
      await dialog.getByRole('radio', { name: 'Flush to disk first (CHECKPOINT)' }).check();
      assert.match(await labels.innerText(), /psql -U "\$POSTGRES_USER" -c CHECKPOINT/);
      await fs.mkdir(shots, { recursive: true });
      await h.page.screenshot({ path: path.join(shots, 'volumes-stack-dialog-1280x800-light.png') });

      await dialog.getByRole('switch', { name: 'Encrypt' }).click();
      await dialog.getByRole('button', { name: 'Start backup' }).click();
      await h.page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
      const sent = await h.calls('jobs.startStackBackup');
      assert.deepEqual(sent, [{ stack: 'shop', backup: 'shop', perVolume: true, encrypt: false, rememberPassword: false }]);
      assert.deepEqual(await h.calls('jobs.startBackup'), []);
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`browses a volume’s files folder by folder (${scheme})`, async () => {
      const h = await open({ width: 1280, height: 800 }, scheme);
      await h.reply('volumes.tree', {
        handle: ({ path: dir }) =>
          dir === 'uploads'
            ? [{ name: 'cat.jpg', path: 'uploads/cat.jpg', type: 'file', size: 123_456 }]
            : [
                { name: 'uploads', path: 'uploads', type: 'dir', size: 0 },
                { name: 'index.html', path: 'index.html', type: 'file', size: 512 },
                { name: 'current', path: 'current', type: 'symlink', size: 0 },
              ],
      });
      try {
        await h.page.getByRole('button', { name: 'Browse files of shop_files' }).click();
        const dialog = h.page.getByRole('dialog', { name: 'Files of shop_files' });
        const list = dialog.getByRole('list', { name: 'Contents of shop_files' });
        await list.waitFor();
        assert.deepEqual((await list.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')), ['uploads/ folder', 'index.html 512 B', 'current link']);
        await h.page.screenshot({ path: path.join(shots, `volumes-files-1280x800-${scheme}.png`) });
        await dialog.getByRole('button', { name: 'uploads/' }).click();
        const sub = dialog.getByRole('list', { name: 'Contents of uploads' });
        await sub.waitFor();
        assert.match(await sub.innerText(), /cat\.jpg\s+120\.6 KiB/);
        assert.equal(await dialog.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: 'uploads' }).getAttribute('aria-current'), 'location');
        await dialog.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: 'shop_files' }).click();
        await list.waitFor();
        assert.deepEqual(await h.calls('volumes.tree'), [
          { volume: 'shop_files', path: '' },
          { volume: 'shop_files', path: 'uploads' },
          { volume: 'shop_files', path: '' },
        ]);
        await dialog.getByRole('button', { name: 'Close' }).first().click();
        await dialog.waitFor({ state: 'detached' });
        assert.deepEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });
  }
});
