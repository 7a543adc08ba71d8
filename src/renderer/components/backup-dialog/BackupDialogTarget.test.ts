/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The backup dialog starts on the storage target the Backups page shows (not
 * always on the default one), says where the backup goes, and starts the
 * backup there. In the whole app, at 1280×800 and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { backupDialog } from '../../../../e2e/backup-helpers.ts';
import { backup } from '../../../../test/renderer-harness/backup-fixtures.ts';
import { target, volume } from '../../../../test/renderer-harness/fixtures.ts';
import { EMPTY_ENGINE, FakeApi } from '../../../../test/renderer-harness/fake-api.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';
import { description } from '../../../../test/renderer-harness/fields.ts';

const STRONG = 'quiet otter lamp seventeen harbour';


describeInHarness('BackupDialog: starts on the storage target the pages show (app, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`offsite chosen on Backups: the dialog opens on offsite, says so, and backs up there (${size}, ${colorScheme})`, async () => {
        const fake = new FakeApi({
          ...EMPTY_ENGINE,
          'volumes.list': [{ result: [volume({ name: 'pgdata' })] }],
          'targets.list': [{ result: [target({ name: 'nas', isDefault: true }), target({ name: 'offsite', location: '/mnt/offsite', settings: { path: '/mnt/offsite' } })] }],
          'backups.list': [{ when: { target: 'offsite' }, result: [backup('far')] }, { result: [] }],
          'jobs.startBackup': [{ result: { jobId: 'job-000000000004' } }],
        });
        const h = await harness.open({ view: 'app' }, { fake, context: { colorScheme, viewport } });
        try {
          const nav = h.page.getByRole('navigation', { name: 'Main' });
          await nav.getByRole('button', { name: 'Backups' }).click();
          await h.page.getByLabel('Storage target').selectOption('offsite');
          await h.page.getByRole('button', { name: 'far', exact: true }).waitFor();
          await nav.getByRole('button', { name: 'Volumes' }).click();
          await h.page.getByRole('button', { name: 'Back up pgdata' }).click();

          const f = backupDialog(h.page, 'pgdata');
          await f.name.waitFor();
          assert.equal(await f.storage.inputValue(), 'offsite');
          assert.match(await description(f.storage), /^The backup is written to target offsite\./);
          await h.screenshot(`glue-backup-dialog-target-${size}-${colorScheme}.png`);
          await f.password.fill(STRONG);
          await f.confirm.fill(STRONG);
          await f.start.click();
          await f.dialog.waitFor({ state: 'detached' });
          assert.deepEqual((await h.calls('backups.list')).filter((c) => c.target === 'nas'), [], 'the default target was never looked into');
          const started = await h.calls('jobs.startBackup');
          assert.equal(started.length, 1);
          assert.equal(started[0]!.target, 'offsite');
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }

  it('with the default store shown, it starts on the default target and names it', async () => {
    const fake = new FakeApi({
      ...EMPTY_ENGINE,
      'volumes.list': [{ result: [volume({ name: 'pgdata' })] }],
      'targets.list': [{ result: [target({ name: 'nas', isDefault: true }), target({ name: 'offsite', location: '/mnt/offsite', settings: { path: '/mnt/offsite' } })] }],
    });
    const h = await harness.open({ view: 'app' }, { fake });
    try {
      await h.page.getByRole('button', { name: 'Back up pgdata' }).click();
      const f = backupDialog(h.page, 'pgdata');
      await f.name.waitFor();
      assert.equal(await f.storage.inputValue(), 'nas');
      assert.match(await description(f.storage), /^The backup is written to target nas\./);
    } finally {
      await h.close();
    }
  });
});
