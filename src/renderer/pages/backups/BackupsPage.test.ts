/* eslint-disable no-restricted-imports -- runs in Node: it drives the page in Chromium. */
/**
 * The Backups page over a fake engine, in Chromium: loading, empty, error,
 * long names and damaged backups, the versions panel, Test restore with a
 * password asked on demand, Verify, Change password, Unlock and Delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BackupDto } from '../../../shared/api/dto.ts';
import { ago, backup, job, progress, version } from '../../../../test/renderer-harness/backup-fixtures.ts';
import { FakeApi, type Replies } from '../../../../test/renderer-harness/fake-api.ts';
import { harnessSkipReason, startHarness, type Harness, type HarnessPage } from '../../../../test/renderer-harness/harness.ts';
import { assertReadable } from '../../../../test/renderer-harness/contrast.ts';

const skip = harnessSkipReason();
const LONG = `a-very-long-backup-name-${'x'.repeat(90)}`;

const V_NEW = version('20250301T120000Z-bbbb', { createdAt: ago(5), verifiedAt: null, origin: { kind: 'schedule', schedule: 'hourly' }, stats: { files: 3, addedStoredBytes: 4096 } });
const V_OLD = version('20250201T120000Z-aaaa', { createdAt: ago(60 * 24 * 30), verifiedAt: ago(60 * 24 * 2), stats: { files: 2 } });

const BACKUPS: BackupDto[] = [
  backup('nightly', { encrypted: true, versions: 2, latest: V_NEW }),
  backup('plain', { encrypted: false, versions: 1, volumes: ['web-data'] }),
  backup('broken', { damaged: 'config of backup ‘broken’ was tampered with (its seal does not match)', versions: 0, latest: null }),
  backup(LONG, { volumes: [`volume-${'y'.repeat(80)}`] }),
];

function replies(extra: Replies = {}): Replies {
  return {
    'backups.list': [{ result: BACKUPS }],
    'backups.versions': [{ when: { backup: 'nightly' }, result: [V_NEW, V_OLD] }, { result: [V_OLD] }],
    'jobs.list': [{ result: [] }],
    ...extra,
  };
}

if (skip) it('the Backups page (component tests)', { skip }, () => undefined);
else
  describe('the Backups page (component tests)', () => {
    let harness: Harness;
    before(async () => {
      harness = await startHarness({ development: true });
    });
    after(async () => {
      await harness?.close();
    });

    /** The Backups page, on a page of its own, over an engine that answers `engine`. */
    function openWith(engine: Replies, colorScheme: 'light' | 'dark' = 'light'): Promise<HarnessPage> {
      return harness.open({ view: 'pages', page: 'backups' }, { fake: new FakeApi(engine), context: { colorScheme } });
    }

    async function open(extra: Replies = {}, colorScheme: 'light' | 'dark' = 'light'): Promise<HarnessPage> {
      return openWith(replies(extra), colorScheme);
    }

    const table = (h: HarnessPage) => h.page.getByRole('table', { name: 'Backups' });
    const rowOf = (h: HarnessPage, name: string) =>
      table(h).getByRole('row').filter({ has: h.page.getByRole('rowheader', { name, exact: true }) });
    const versionsOf = (h: HarnessPage, name: string) => h.page.getByRole('table', { name: `Versions of ${name}` });
    const text = async (l: { innerText(): Promise<string> }) => (await l.innerText()).replace(/\s+/g, ' ');

    async function openVersions(h: HarnessPage, name: string) {
      await rowOf(h, name).getByRole('button', { name, exact: true }).click();
      await versionsOf(h, name).waitFor();
    }

    it('shows a loading state until the list arrives', async () => {
      const h = await openWith({ 'backups.list': [{ pending: true }], 'jobs.list': [{ result: [] }] });
      try {
        await h.page.getByRole('status', { name: 'Loading backups…' }).waitFor();
        assert.equal(await table(h).count(), 0);
      } finally {
        await h.close();
      }
    });

    it('says so when there are no backups', async () => {
      const h = await openWith({ 'backups.list': [{ result: [] }], 'jobs.list': [{ result: [] }] });
      try {
        await h.page.getByRole('status', { name: 'No backups yet' }).waitFor();
      } finally {
        await h.close();
      }
    });

    it('explains an engine error in words and retries', async () => {
      const h = await openWith({
        'backups.list': [{ error: { code: 'NOT_FOUND', message: 'bucket of s3://nope/dvom does not exist; create it first' } }],
        'jobs.list': [{ result: [] }],
      });
      try {
        const alert = h.page.getByRole('alert', { name: 'Cannot list backups' });
        await alert.waitFor();
        const message = await text(alert);
        assert.match(message, /Bucket of s3:\/\/nope\/dvom does not exist; create it first\./);
        assert.doesNotMatch(message, /\bat .*:\d+:\d+/);
        await h.page.screenshot({ path: 'test-results/component-backups-error.png' });
        await h.prepend('backups.list', { result: BACKUPS });
        await alert.getByRole('button', { name: 'Retry' }).click();
        await rowOf(h, 'nightly').waitFor();
      } finally {
        await h.close();
      }
    });

    it('lists backups with Encrypted Yes/No, damaged ones with their reason, long names wrapped', async () => {
      const h = await open();
      try {
        await rowOf(h, 'nightly').waitFor();
        const headers = await table(h).getByRole('columnheader').allInnerTexts();
        assert.deepEqual(
          headers.map((t) => t.toLowerCase()),
          ['backup name', 'latest version', 'size', 'versions', 'encrypted', 'volume'],
        );
        const cells = async (name: string) => (await rowOf(h, name).getByRole('cell').allInnerTexts()).map((t) => t.trim());
        const nightly = await cells('nightly');
        assert.match(nightly[0]!, /^\d+ minutes ago$/);
        assert.equal(nightly[1], '2.19 MiB');
        assert.equal(nightly[2], '2');
        assert.equal(nightly[3], 'Yes');
        assert.equal(nightly[4], 'pgdata');
        assert.equal((await cells('plain'))[3], 'No');
        assert.match(await text(rowOf(h, 'broken')), /Damaged: config of backup ‘broken’ was tampered with/);
        assert.equal(await rowOf(h, 'broken').getByRole('button', { name: 'broken', exact: true }).count(), 0, 'a damaged backup cannot be opened');
        // Nothing sticks out of the table, however long the names.
        await rowOf(h, LONG).waitFor();
        const overflow = await table(h).evaluate((t) => t.scrollWidth - t.clientWidth);
        assert.ok(overflow <= 0, `the table overflows by ${overflow}px`);
        await h.page.screenshot({ path: 'test-results/component-backups.png' });
        assert.deepEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });

    it('opens the versions of a backup with their size, stored size, files and verified state', async () => {
      const h = await open();
      try {
        await rowOf(h, 'nightly').waitFor();
        const toggle = rowOf(h, 'nightly').getByRole('button', { name: 'nightly', exact: true });
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        await openVersions(h, 'nightly');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        const rows = versionsOf(h, 'nightly').getByRole('row');
        assert.equal(await rows.count(), 3);
        const newest = await text(rows.nth(1));
        // When and what made it; the id stays for copying.
        assert.match(newest, /\d+ minutes ago · Schedule hourly 20250301T120000Z-bbbb/);
        assert.match(await text(rows.nth(0)), /Created Size New data Files Verified/i);
        assert.match(newest, /5\.15 MiB 4\.00 KiB 3 Not verified/);
        assert.match(await text(rows.nth(2)), /Verified 2 days ago/);
        const overflow = await h.page.locator('.br-versions-panel').evaluate((el) => el.scrollWidth - el.clientWidth);
        assert.ok(overflow <= 0, `the versions panel overflows by ${overflow}px`);
        await h.page.screenshot({ path: 'test-results/component-versions.png' });
        await toggle.press('Enter');
        await versionsOf(h, 'nightly').waitFor({ state: 'detached' });
      } finally {
        await h.close();
      }
    });

    for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        it(`versions say what made them and the new data they added (${size}, ${colorScheme})`, async () => {
          const h = await harness.open({ view: 'pages', page: 'backups' }, { fake: new FakeApi(replies()), context: { colorScheme, viewport } });
          try {
            await rowOf(h, 'nightly').waitFor();
            await openVersions(h, 'nightly');
            const rows = versionsOf(h, 'nightly').getByRole('row');
            assert.match(await text(rows.nth(1)), /Schedule hourly/);
            const newData = versionsOf(h, 'nightly').getByRole('columnheader', { name: 'New data' });
            // A narrow window leaves the column out (the layout hides low-value columns); a wide one explains it.
            if (viewport.width >= 1000) assert.match((await newData.getAttribute('title')) ?? '', /only data no earlier version had/);
            else assert.equal(await newData.isVisible(), false);
            await versionsOf(h, 'nightly').scrollIntoViewIfNeeded();
            await h.screenshot(`component-versions-origin-${size}-${colorScheme}.png`);
            assert.deepEqual(h.errors, []);
          } finally {
            await h.close();
          }
        });
      }
    }

    it('Test restore asks for the password when needed, says “Wrong password”, then shows the outcome', async () => {
      const JOB = 'job-00000000000a';
      const h = await open({
        'jobs.startTestRestore': [
          { when: { password: 'right' }, result: { jobId: JOB } },
          { when: { password: 'wrong' }, error: { code: 'WRONG_PASSWORD', message: "wrong password for backup 'nightly'" } },
          { error: { code: 'PASSWORD_REQUIRED', message: "backup 'nightly' is encrypted: enter its password" } },
        ],
      });
      try {
        await rowOf(h, 'nightly').waitFor();
        await openVersions(h, 'nightly');
        const row = versionsOf(h, 'nightly').getByRole('row').nth(1);
        await row.getByRole('button', { name: 'Test restore' }).click();

        const dialog = h.page.getByRole('dialog', { name: 'Password for nightly' });
        await dialog.waitFor();
        const field = dialog.getByLabel('Password', { exact: true });
        assert.ok(await field.evaluate((el) => el === document.activeElement), 'the password field has the focus');
        await field.fill('wrong');
        await field.press('Enter');
        await dialog.getByRole('alert').filter({ hasText: 'Wrong password' }).waitFor();
        assert.equal(await field.getAttribute('aria-invalid'), 'true');
        await field.fill('right');
        await dialog.getByRole('button', { name: 'Test restore' }).click();
        await dialog.waitFor({ state: 'detached' });
        assert.deepEqual((await h.calls('jobs.startTestRestore')).at(-1), { backup: 'nightly', version: V_NEW.id, password: 'right' });

        await h.emit('job.updated', job(JOB, { progress: progress({ bytesDone: 40, bytesTotal: 100 }) }));
        await row.getByText('Testing 40%').waitFor();
        assert.equal(await row.getByRole('button', { name: 'Test restore' }).isDisabled(), true);

        await h.prepend('backups.versions', { when: { backup: 'nightly' }, result: [{ ...V_NEW, verifiedAt: new Date().toISOString() }, V_OLD] });
        await h.emit('job.updated', job(JOB, { state: 'succeeded', finishedAt: new Date().toISOString(), result: 'Passed: 3 files, 5.15 MiB restored and verified in 2s' }));
        await h.emit('backups.changed', {});
        await h.page.getByRole('status').filter({ hasText: 'passed: 3 files, 5.15 MiB restored and verified in 2s' }).waitFor();
        await row.getByText('Verified just now').waitFor();
        await h.page.screenshot({ path: 'test-results/component-test-restore-passed.png' });
      } finally {
        await h.close();
      }
    });

    it("a verification listed without the backup's password says it is unchecked", async () => {
      const h = await open({ 'backups.versions': [{ when: { backup: 'nightly' }, result: [V_NEW, { ...V_OLD, checked: false }] }] });
      try {
        await rowOf(h, 'nightly').waitFor();
        await openVersions(h, 'nightly');
        const row = versionsOf(h, 'nightly').getByRole('row').nth(2);
        await row.getByText(/^Verified .* \(unchecked\)$/).waitFor();
      } finally {
        await h.close();
      }
    });

    it('a failed test restore says why, at the version', async () => {
      const JOB = 'job-00000000000b';
      const h = await open({ 'jobs.startTestRestore': [{ result: { jobId: JOB } }] });
      try {
        await rowOf(h, 'plain').waitFor();
        await openVersions(h, 'plain');
        const row = versionsOf(h, 'plain').getByRole('row').nth(1);
        await row.getByRole('button', { name: 'Test restore' }).click();
        await h.emit('job.updated', job(JOB, { state: 'failed', finishedAt: new Date().toISOString(), error: { code: 'INTEGRITY', message: "test restore of version x failed: file 'a.txt' does not match its SHA-256" } }));
        await h.page.getByRole('alert').filter({ hasText: "failed: Test restore of version x failed: file 'a.txt' does not match its SHA-256." }).waitFor();
        await row.getByText('Test restore failed').waitFor();
      } finally {
        await h.close();
      }
    });

    it('Verify checks all data and reports the result', async () => {
      const JOB = 'job-00000000000c';
      const h = await open({ 'jobs.startVerify': [{ result: { jobId: JOB } }] });
      try {
        await rowOf(h, 'plain').waitFor();
        await openVersions(h, 'plain');
        await h.page.getByRole('button', { name: 'Verify', exact: true }).click();
        assert.deepEqual(await h.calls('jobs.startVerify'), [{ backup: 'plain', readData: true }]);
        await h.page.getByRole('button', { name: 'Verifying…' }).waitFor();
        await h.emit('job.updated', job(JOB, { kind: 'verify', state: 'succeeded', finishedAt: new Date().toISOString(), result: 'Intact: 1 versions, 2 packs, 9 blobs checked' }));
        await h.page.getByRole('status').filter({ hasText: 'Verify passed: all data is intact' }).waitFor();
      } finally {
        await h.close();
      }
    });

    it('Change password checks the fields, says “Wrong password” at the current one, and confirms', async () => {
      const h = await open({
        'backups.changePassword': [
          { when: { password: 'old' }, result: { changed: true } },
          { error: { code: 'WRONG_PASSWORD', message: "wrong password for backup 'nightly'" } },
        ],
      });
      try {
        await rowOf(h, 'nightly').waitFor();
        await openVersions(h, 'nightly');
        await h.page.getByRole('button', { name: 'Change password…' }).click();
        const dialog = h.page.getByRole('dialog', { name: 'Change the password of nightly' });
        await dialog.getByLabel('Current password', { exact: true }).fill('oops');
        await dialog.getByLabel('New password', { exact: true }).fill('new-secret');
        await dialog.getByLabel('Confirm new password', { exact: true }).fill('new-secret-typo');
        await dialog.getByRole('button', { name: 'Change password' }).click();
        await dialog.getByText('The two new passwords do not match.').waitFor();
        assert.equal((await h.calls('backups.changePassword')).length, 0);
        await dialog.getByLabel('Confirm new password', { exact: true }).fill('new-secret');
        await dialog.getByRole('button', { name: 'Change password' }).click();
        await dialog.getByText(/^Wrong password/).waitFor();
        await h.page.screenshot({ path: 'test-results/component-change-password.png' });
        await dialog.getByLabel('Current password', { exact: true }).fill('old');
        await dialog.getByRole('button', { name: 'Change password' }).click();
        await dialog.waitFor({ state: 'detached' });
        assert.deepEqual((await h.calls('backups.changePassword')).at(-1), { backup: 'nightly', password: 'old', newPassword: 'new-secret' });
        await h.page.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
      } finally {
        await h.close();
      }
    });

    it('Unlock removes stale locks, and live ones only after a second, explicit click', async () => {
      const live = { operation: 'backup', host: 'nas', pid: 4242, exclusive: true, createdAt: ago(3) };
      const h = await open({
        'backups.unlock': [
          { when: { force: false }, result: { removed: 1, live: [live] } },
          { when: { force: true }, result: { removed: 1, live: [] } },
        ],
      });
      try {
        await rowOf(h, 'nightly').waitFor();
        await openVersions(h, 'nightly');
        await h.page.getByRole('button', { name: 'Unlock…' }).click();
        await h.page.getByRole('dialog', { name: 'Unlock backup nightly?' }).getByRole('button', { name: 'Remove stale locks' }).click();
        const still = h.page.getByRole('dialog', { name: 'Backup nightly is still in use' });
        assert.match(await text(still), /backup on nas \(process 4242\)/);
        assert.match(await text(still), /only if that process is gone for good/);
        await still.getByRole('button', { name: 'Remove anyway' }).click();
        await still.waitFor({ state: 'detached' });
        assert.deepEqual(await h.calls('backups.unlock'), [{ backup: 'nightly', force: false }, { backup: 'nightly', force: true }]);
        await h.page.getByRole('status').filter({ hasText: 'Removed 2 locks.' }).waitFor();
      } finally {
        await h.close();
      }
    });

    it('Reclaim space asks for the password, says what it will free, frees it and says so; with nothing to free it says that', async () => {
      for (const [colorScheme, width, height] of [['light', 1280, 800], ['dark', 800, 600], ['dark', 1280, 800], ['light', 800, 600]] as const) {
        const h = await open(
          {
            'backups.reclaimEstimate': [
              { when: { backup: 'nightly', password: 'pw' }, result: { bytesToFree: 281.8 * 1024 * 1024, packsSpared: 2 } },
              { when: { backup: 'nightly' }, error: { code: 'PASSWORD_REQUIRED', message: "backup 'nightly' is encrypted: enter its password" } },
              { when: { backup: 'plain' }, result: { bytesToFree: 0, packsSpared: 0 } },
            ],
            'backups.reclaim': [{ result: { bytesFreed: 281.8 * 1024 * 1024 } }],
          },
          colorScheme,
        );
        try {
          await h.page.setViewportSize({ width, height });
          await rowOf(h, 'nightly').waitFor();
          await openVersions(h, 'nightly');
          await h.page.getByRole('button', { name: 'Reclaim space…' }).click();
          const pw = h.page.getByRole('dialog', { name: 'Password for nightly' });
          await pw.getByLabel('Password', { exact: true }).fill('pw');
          await pw.getByRole('button', { name: 'Continue' }).click();
          const dialog = h.page.getByRole('dialog', { name: 'Reclaim space in nightly?' });
          await dialog.waitFor();
          const said = await text(dialog);
          assert.match(said, /removes 281\.8 MiB of stored data that no version uses any more/);
          assert.match(said, /2 recent pieces of data may belong to a backup still running elsewhere/);
          await assertReadable({ 'the dialog text': dialog.locator('.dialog-text').first() });
          await h.page.screenshot({ path: `test-results/component-backups-reclaim-${colorScheme}-${width}x${height}.png` });
          await dialog.getByRole('button', { name: 'Free 281.8 MiB' }).click();
          await dialog.waitFor({ state: 'detached' });
          assert.deepEqual(await h.calls('backups.reclaim'), [{ backup: 'nightly', password: 'pw' }]);
          await h.page.getByRole('status').filter({ hasText: 'Reclaimed 281.8 MiB.' }).waitFor();

          await rowOf(h, 'plain').getByRole('button', { name: 'plain', exact: true }).click();
          await versionsOf(h, 'plain').waitFor();
          await h.page.getByRole('button', { name: 'Reclaim space…' }).last().click();
          const none = h.page.getByRole('dialog', { name: 'Nothing to reclaim in plain' });
          assert.match(await text(none), /Every piece of stored data is still used by a version\./);
          await none.getByRole('button', { name: 'OK' }).click();
          await none.waitFor({ state: 'detached' });
          assert.equal((await h.calls('backups.reclaim')).length, 1, 'nothing reclaimed for plain');
        } finally {
          await h.close();
        }
      }
    });

    it('Delete names exactly what goes: one version, or the backup with all its versions', async () => {
      const h = await open({ 'backups.delete': [{ result: { deleted: 'ok' } }] });
      try {
        await rowOf(h, 'nightly').waitFor();
        await openVersions(h, 'nightly');
        const row = versionsOf(h, 'nightly').getByRole('row').nth(2);
        await row.getByRole('button', { name: /^Delete the version from/ }).click();
        let dialog = h.page.getByRole('dialog', { name: 'Delete this version?' });
        const said = await text(dialog);
        assert.ok(said.includes(`deletes the version of nightly created`), said);
        assert.ok(said.includes(`(${V_OLD.id}). The other version is kept.`), said);
        await dialog.getByLabel('Password', { exact: true }).fill('pw');
        await dialog.getByRole('button', { name: 'Delete version' }).click();
        await dialog.waitFor({ state: 'detached' });
        assert.deepEqual(await h.calls('backups.delete'), [{ backup: 'nightly', version: V_OLD.id, password: 'pw' }]);

        await h.page.getByRole('button', { name: 'Delete backup…' }).click();
        dialog = h.page.getByRole('dialog', { name: 'Delete backup nightly?' });
        assert.match(await text(dialog), /deletes the backup nightly with all 2 versions \(2\.19 MiB stored\)\. This cannot be undone\./);
        await h.page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        assert.equal((await h.calls('backups.delete')).length, 1, 'Escape deletes nothing');
      } finally {
        await h.close();
      }
    });

    it('Restore… opens the wizard with the backup and version chosen', async () => {
      const h = await open({
        'backups.versions': [{ result: [V_NEW, V_OLD] }],
        'secrets.hasPassword': [{ result: { remembered: false } }],
        'volumes.list': [{ result: [] }],
      });
      try {
        await rowOf(h, 'nightly').waitFor();
        await openVersions(h, 'nightly');
        await versionsOf(h, 'nightly').getByRole('row').nth(2).getByRole('button', { name: /^Restore the version from/ }).click();
        await h.page.getByRole('heading', { name: 'Restore', level: 1 }).waitFor();
        assert.equal(await h.page.getByLabel('Backup', { exact: true }).inputValue(), 'nightly');
        assert.equal(await h.page.locator(`input[type=radio][value="${V_OLD.id}"]`).isChecked(), true);
        assert.equal(await h.page.getByRole('listitem').filter({ has: h.page.getByText('Backup and version') }).getAttribute('aria-current'), 'step');
      } finally {
        await h.close();
      }
    });

    it('looks right in dark mode', async () => {
      const h = await open({}, 'dark');
      try {
        await rowOf(h, 'nightly').waitFor();
        await openVersions(h, 'nightly');
        await h.page.screenshot({ path: 'test-results/component-backups-dark.png' });
        await assertReadable({
          'the page title': h.page.getByRole('heading', { name: 'Backups', level: 1 }),
          'a backup name': rowOf(h, 'nightly').getByRole('rowheader'),
          'a version row': versionsOf(h, 'nightly').getByRole('row').nth(1).getByRole('cell').first(),
          'the Verify button': h.page.getByRole('button', { name: 'Verify' }),
        });
        assert.deepEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });
  });
