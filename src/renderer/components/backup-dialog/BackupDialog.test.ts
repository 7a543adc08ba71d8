/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The backup dialog in Chromium over a fake API (see
 * test/renderer-harness/harness.ts): defaults, validation, password modes for
 * new / existing / remembered backups, storage targets, and the engine's
 * errors shown where they belong.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { backupDialog } from '../../../../e2e/backup-helpers.ts';
import { backup, target, volume } from '../../../../test/renderer-harness/fixtures.ts';
import type { HarnessPage } from '../../../../test/renderer-harness/harness.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';
import { description } from '../../../../test/renderer-harness/fields.ts';

const PG = volume({
  name: 'pgdata',
  usedBy: [
    { name: 'worker', running: false },
    { name: 'postgres', running: true },
  ],
});
const STRONG = 'quiet otter lamp seventeen harbour';

function form(h: HarnessPage, name = 'pgdata') {
  const fields = backupDialog(h.page, name);
  return { ...fields, alert: fields.dialog.getByRole('alert') };
}


describeInHarness('BackupDialog (component, in Chromium)', (harness) => {
  it('starts with sensible defaults: the volume’s name, the default store, encrypted, running containers to stop', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG });
    try {
      const f = form(h);
      await f.name.waitFor();
      assert.equal(await f.name.inputValue(), 'pgdata');
      assert.match(await description(f.name), /A new backup/);
      assert.equal(await f.storage.inputValue(), '');
      assert.equal(await f.storage.locator('option:checked').textContent(), 'Default store — /var/lib/dvom/backups');
      assert.equal(await f.encrypt.isChecked(), true);
      assert.equal(await f.encrypt.isDisabled(), false);
      assert.equal(await f.remember.isChecked(), true);
      await f.confirm.waitFor();
      const postgres = f.dialog.getByRole('checkbox', { name: /postgres/ });
      const worker = f.dialog.getByRole('checkbox', { name: /worker/ });
      assert.equal(await postgres.isChecked(), true, 'running containers are pre-selected');
      assert.equal(await worker.isChecked(), false);
      assert.equal(await worker.isDisabled(), true, 'a stopped container has nothing to stop');
      assert.equal(await h.focused(), 'input:Password', 'typing starts in the password field');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('starts an encrypted backup with the chosen options and goes to Activity', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, {
      before: (p) => p.reply('jobs.startBackup', { result: { jobId: 'job-000000000001' } }),
    });
    try {
      const f = form(h);
      await f.password.fill(STRONG);
      await f.confirm.fill(STRONG);
      await f.remember.uncheck();
      await f.start.click();
      await f.dialog.waitFor({ state: 'detached' });
      assert.deepEqual(await h.calls('jobs.startBackup'), [
        { volumes: ['pgdata'], backup: 'pgdata', encrypt: true, password: STRONG, rememberPassword: false, stopContainers: ['postgres'] },
      ]);
      assert.equal((await h.navigation()).page, 'activity');
      assert.equal(await h.closes(), 1);
    } finally {
      await h.close();
    }
  });

  it('checks the name, the password and its confirmation before asking the engine', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG });
    try {
      const f = form(h);
      await f.name.fill('my backup!');
      assert.equal(await description(f.name), 'Use only letters, digits, \'.\', \'_\' and \'-\' (not spaces, “!”).');
      assert.equal(await f.name.getAttribute('aria-invalid'), 'true');
      await f.start.click();
      assert.equal(await h.focused(), 'input:Backup name');

      await f.name.fill('pg.nightly_2');
      assert.equal(await f.name.getAttribute('aria-invalid'), null);
      await f.start.click();
      assert.match(await description(f.password), /^Choose a password/);
      assert.equal(await h.focused(), 'input:Password');

      await f.password.fill(STRONG);
      await f.confirm.fill(`${STRONG}x`);
      await f.start.click();
      assert.equal(await description(f.confirm), 'The two passwords are not the same.');
      assert.equal(await h.focused(), 'input:Confirm password');
      assert.deepEqual(await h.calls('jobs.startBackup'), [], 'nothing was sent');
      assert.equal(await f.dialog.isVisible(), true);
    } finally {
      await h.close();
    }
  });

  it('shows how strong the password is', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG });
    try {
      const f = form(h);
      const meter = f.dialog.getByRole('meter', { name: 'Password strength' });
      assert.equal(await meter.getAttribute('aria-valuetext'), 'No password yet');
      await f.password.fill('password1');
      await h.page.waitForFunction(() => document.querySelector('[role=meter]')?.getAttribute('aria-valuetext') !== 'No password yet');
      assert.ok(Number(await meter.getAttribute('aria-valuenow')) <= 1, 'a common password is weak');
      assert.match(await description(f.password), /commonly used|most used|very often used/);
      await f.password.fill(STRONG);
      await h.page.waitForFunction(() => document.querySelector('[role=meter]')?.getAttribute('aria-valuetext') === 'Strong');
      assert.equal(await meter.getAttribute('aria-valuenow'), '4');
    } finally {
      await h.close();
    }
  });

  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`a very weak password needs a second yes before the backup starts (${size}, ${colorScheme})`, async () => {
        const h = await harness.open({ view: 'backup-dialog', volume: PG }, {
          context: { colorScheme, viewport },
          before: (p) => p.reply('jobs.startBackup', { result: { jobId: 'job-000000000002' } }),
        });
        try {
          const f = form(h);
          await f.password.fill('password');
          await f.confirm.fill('password');
          const anyway = f.dialog.getByRole('checkbox', { name: 'Use this very weak password anyway' });
          await anyway.waitFor();
          await f.start.click();
          assert.equal(await anyway.evaluate((el) => el === document.activeElement), true, 'focus goes to the box');
          assert.equal(await description(anyway), 'Tick this to use a very weak password, or choose a stronger one.');
          assert.deepEqual(await h.calls('jobs.startBackup'), [], 'nothing was sent');
          await anyway.scrollIntoViewIfNeeded();
          await h.screenshot(`component-backup-weak-password-${size}-${colorScheme}.png`);
          // A stronger password needs no tick (the box goes); going back to a very weak one asks again.
          await f.password.fill(STRONG);
          await anyway.waitFor({ state: 'detached' });
          await f.password.fill('password');
          await anyway.waitFor();
          assert.equal(await anyway.isChecked(), false);
          await anyway.check();
          await f.start.click();
          await f.dialog.waitFor({ state: 'detached' });
          assert.equal((await h.calls('jobs.startBackup')).length, 1);
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }

  it('without encryption asks for no password', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: volume({ name: 'cache' }) }, {
      before: (p) => p.reply('jobs.startBackup', { result: { jobId: 'job-000000000002' } }),
    });
    try {
      const f = form(h, 'cache');
      await f.encrypt.click();
      assert.equal(await f.encrypt.isChecked(), false);
      assert.equal(await f.password.count(), 0);
      assert.equal(await f.remember.count(), 0);
      assert.match(await f.dialog.innerText(), /No container uses this volume/);
      await h.page.keyboard.press('Enter');
      await f.dialog.waitFor({ state: 'detached' });
      assert.deepEqual(await h.calls('jobs.startBackup'), [{ volumes: ['cache'], backup: 'cache', encrypt: false, rememberPassword: false, stopContainers: [] }]);
    } finally {
      await h.close();
    }
  });

  it('an existing encrypted backup with a remembered password needs none, and a wrong one is shown at the field', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, {
      before: async (p) => {
        await p.reply('backups.list', { result: [backup({ name: 'pgdata', encrypted: true, passwordRemembered: true })] });
        await p.reply('secrets.hasPassword', { result: { remembered: true } });
        await p.reply('jobs.startBackup', {
          error: { code: 'REMEMBERED_PASSWORD_WRONG', message: "the password remembered for backup 'pgdata' is wrong; enter the current one" },
        });
      },
    });
    try {
      const f = form(h);
      const password = f.dialog.getByLabel('Password of pgdata');
      await password.waitFor();
      assert.match(await description(f.name), /already exists here \(encrypted\): this adds a new version/);
      assert.equal(await f.encrypt.isChecked(), true);
      assert.equal(await f.encrypt.isDisabled(), true, 'encryption is fixed for an existing backup');
      assert.match(await description(f.encrypt), /^Fixed:/);
      assert.match(await description(password), /Remembered in the keychain/);
      await h.screenshot('component-backup-dialog-remembered.png');
      assert.equal(await f.confirm.count(), 0);
      assert.equal(await f.remember.count(), 0);
      assert.deepEqual(await h.calls('secrets.hasPassword'), [{ backup: 'pgdata' }]);

      await f.start.click();
      await h.page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
      assert.equal(await description(password), "The password remembered for backup 'pgdata' is wrong; enter the current one.");
      assert.equal(await h.focused(), 'input:Password of pgdata');
      const sent = await h.calls('jobs.startBackup');
      assert.equal(sent.length, 1);
      assert.equal(sent[0]!.password, undefined, 'the remembered password is used');
      assert.equal(await f.dialog.isVisible(), true);
      // Now the remembered one failed, a password is required, and can be remembered.
      assert.equal(await f.remember.isChecked(), true);
      await f.start.click();
      assert.match(await description(password), /^Enter the password of “pgdata”/);
      assert.equal((await h.calls('jobs.startBackup')).length, 1);
    } finally {
      await h.close();
    }
  });

  it('an existing encrypted backup without a remembered password requires it; PASSWORD_REQUIRED shows at the field', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, {
      before: async (p) => {
        await p.reply('backups.list', { result: [backup({ name: 'pgdata', encrypted: true })] });
        await p.reply('jobs.startBackup', { error: { code: 'PASSWORD_REQUIRED', message: "backup 'pgdata' is encrypted: enter its password" } });
      },
    });
    try {
      const f = form(h);
      const password = f.dialog.getByLabel('Password of pgdata');
      await password.waitFor();
      assert.equal(await h.focused(), 'input:Password of pgdata');
      await f.start.click();
      assert.equal(await description(password), 'Enter the password of “pgdata”.');
      assert.equal((await h.calls('jobs.startBackup')).length, 0);
      await password.fill('something');
      await f.start.click();
      await f.dialog.getByText("Backup 'pgdata' is encrypted: enter its password.").waitFor();
      assert.equal(await password.getAttribute('aria-invalid'), 'true');
    } finally {
      await h.close();
    }
  });

  it('an existing plain backup shows encryption off and fixed', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, {
      before: async (p) => {
        await p.reply('backups.list', { result: [backup({ name: 'pgdata', encrypted: false })] });
        await p.reply('jobs.startBackup', { result: { jobId: 'job-000000000003' } });
      },
    });
    try {
      const f = form(h);
      await f.name.waitFor();
      assert.equal(await f.encrypt.isChecked(), false);
      assert.equal(await f.encrypt.isDisabled(), true);
      assert.match(await description(f.encrypt), /created without encryption/);
      assert.equal(await f.password.count(), 0);
      // A new name is a new backup: encryption can be chosen again.
      await f.name.fill('pgdata-2');
      assert.equal(await f.encrypt.isDisabled(), false);
      assert.equal(await f.encrypt.isChecked(), true);
      await f.name.fill('pgdata');
      await f.start.click();
      await f.dialog.waitFor({ state: 'detached' });
      assert.equal((await h.calls('jobs.startBackup'))[0]!.encrypt, false);
    } finally {
      await h.close();
    }
  });

  it('writes to the chosen storage target and looks for existing backups there', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, {
      before: async (p) => {
        await p.reply('targets.list', {
          result: [target({ name: 'nas', isDefault: true }), target({ name: 'offsite', type: 's3', location: 's3://bucket/dvom/' })],
        });
        await p.reply('jobs.startBackup', { result: { jobId: 'job-000000000004' } });
      },
    });
    try {
      const f = form(h);
      await f.name.waitFor();
      assert.equal(await f.storage.inputValue(), 'nas');
      assert.deepEqual(await f.storage.locator('option').allTextContents(), ['nas (default) — /mnt/nas/dvom', 'offsite — s3://bucket/dvom/']);
      await f.storage.selectOption('offsite');
      await f.password.fill(STRONG);
      await f.confirm.fill(STRONG);
      await f.start.click();
      await f.dialog.waitFor({ state: 'detached' });
      assert.deepEqual(await h.calls('backups.list'), [{ target: 'nas' }, { target: 'offsite' }]);
      assert.equal((await h.calls('jobs.startBackup'))[0]!.target, 'offsite');
    } finally {
      await h.close();
    }
  });

  it('while it looks into the store it shows a loading state, and cannot start yet', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, { before: (p) => p.reply('backups.list', { pending: true }) });
    try {
      const f = form(h);
      await f.dialog.getByRole('status', { name: 'Loading' }).waitFor();
      assert.equal(await f.start.isDisabled(), true);
      assert.equal(await f.name.count(), 0);
      await h.release('backups.list', { result: [] });
      await f.name.waitFor();
      assert.equal(await f.start.isDisabled(), false);
    } finally {
      await h.close();
    }
  });

  it('when the targets cannot be listed, says so and offers the default store; when a store cannot be read, says so instead of offering a new backup', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, {
      before: async (p) => {
        await p.reply('targets.list', { error: { code: 'ERROR', message: 'the config file is not valid JSON' } });
      },
    });
    try {
      const f = form(h);
      await f.name.waitFor();
      assert.match(await description(f.storage), /Could not list the storage targets \(The config file is not valid JSON\.\)/);
      assert.deepEqual(await f.storage.locator('option').allTextContents(), ['Default store — /var/lib/dvom/backups'], 'only the default store is left');
      assert.equal(await f.password.isVisible(), true);
    } finally {
      await h.close();
    }

    // Offline: the store's backups cannot be listed. Whether "pgdata" exists there is unknown: no new-backup form, no Start.
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const viewport of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
        const h2 = await harness.open({ view: 'backup-dialog', volume: PG }, {
          context: { colorScheme, viewport },
          before: async (p) => {
            await p.reply('targets.list', { result: [target({ name: 's3-offsite', type: 's3', location: 's3://dvom-offsite/', isDefault: true, settings: { bucket: 'dvom-offsite' } })] });
            await p.replyOnce('backups.list', { error: { code: 'ERROR', message: 'connect ECONNREFUSED 10.0.0.5:443' } });
            await p.reply('backups.list', { result: [backup({ name: 'pgdata', encrypted: true })] });
          },
        });
        try {
          const f = form(h2);
          await f.name.waitFor();
          await f.alert.filter({ hasText: 'Could not list the backups in target s3-offsite: Connect ECONNREFUSED 10.0.0.5:443.' }).waitFor();
          assert.match(await f.alert.innerText(), /Whether “pgdata” already exists there \(and how it is protected\) is unknown/);
          assert.equal(await description(f.storage), 'Could not look into this store (see below).');
          assert.equal(await f.password.count(), 0, 'no password for a “new” backup');
          assert.equal(await f.confirm.count(), 0);
          assert.equal(await f.start.isDisabled(), true);
          await h2.page.screenshot({ path: `${process.env.DVOM_SHOTS_DIR ?? 'test-results'}/backup-dialog-offline-${viewport.width}-${colorScheme}.png` });
          // Back online: the existing encrypted backup is found, and its password asked for.
          await f.alert.getByRole('button', { name: 'Try again' }).click();
          await f.dialog.getByLabel('Password of pgdata').waitFor();
          // Start is enabled in a render after the password field appears (seen racing on CI): wait for it.
          await f.dialog.getByRole('button', { name: 'Start backup', disabled: false }).waitFor();
          assert.equal(await f.start.isDisabled(), false);
          assert.deepEqual((await h2.calls('backups.list')).map((c) => c.target), ['s3-offsite', 's3-offsite']);
        } finally {
          await h2.close();
        }
      }
    }
  });

  it('shows the engine’s other errors above the buttons, and a bad name at the name', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, {
      before: async (p) => {
        await p.replyOnce('jobs.startBackup', { error: { code: 'NOT_FOUND', message: "volume 'pgdata' does not exist" } });
        await p.replyOnce('jobs.startBackup', {
          error: {
            code: 'INVALID_ARGUMENT',
            message: 'jobs.startBackup: backup: a backup name: 1-128 letters, digits, ".", "_" or "-"',
            field: 'backup',
            problem: 'a backup name: 1-128 letters, digits, ".", "_" or "-"',
          },
        });
      },
    });
    try {
      const f = form(h);
      await f.encrypt.click();
      await f.start.click();
      await f.alert.waitFor();
      assert.equal(await f.alert.innerText(), "Volume 'pgdata' does not exist.");
      assert.equal(await h.focused(), 'button:Start backup');
      await f.start.click();
      await f.alert.waitFor({ state: 'detached' });
      // The field's error may come a render after the alert went: wait for the field to say it is invalid.
      await f.name.and(h.page.locator('[aria-invalid="true"]')).waitFor();
      assert.equal(await description(f.name), 'A backup name: 1-128 letters, digits, ".", "_" or "-".');
      assert.doesNotMatch(await f.dialog.innerText(), /\bat .*:\d+:\d+/, 'no stack trace');
    } finally {
      await h.close();
    }
  });

  it('closes on Escape, but not while the backup is being started', async () => {
    const h = await harness.open({ view: 'backup-dialog', volume: PG }, { before: (p) => p.reply('jobs.startBackup', { pending: true }) });
    try {
      const f = form(h);
      await f.encrypt.waitFor();
      await f.encrypt.press('Space');
      assert.equal(await f.encrypt.isChecked(), false, 'Space toggles the switch');
      await f.start.click();
      await f.dialog.getByRole('button', { name: 'Starting…' }).waitFor();
      await h.page.keyboard.press('Escape');
      assert.equal(await f.dialog.isVisible(), true);
      assert.equal(await f.dialog.getByRole('button', { name: 'Cancel' }).isDisabled(), true);
      await h.release('jobs.startBackup', { error: { code: 'LOCKED', message: "backup 'pgdata' is locked by another operation" } });
      await f.alert.waitFor();
      await h.page.keyboard.press('Escape');
      await f.dialog.waitFor({ state: 'detached' });
      assert.equal(await h.closes(), 1);
      assert.equal((await h.navigation()).page, 'volumes', 'no navigation when nothing started');
    } finally {
      await h.close();
    }
  });

  it('handles very long names without overflowing', async () => {
    const long = `v${'ery-long-volume-name-'.repeat(12)}end`;
    const h = await harness.open(
      { view: 'backup-dialog', volume: volume({ name: long, usedBy: [{ name: `c${'ontainer-'.repeat(20)}x`, running: true }] }) },
      { before: (p) => p.reply('jobs.startBackup', { result: { jobId: 'job-000000000005' } }) },
    );
    try {
      const f = form(h, long);
      await f.name.waitFor();
      assert.equal((await f.name.inputValue()).length, 128, 'the default name is cut to the 128 a backup name allows');
      const overflow = await f.dialog.evaluate((d) => [...d.querySelectorAll('*')].some((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible' && el.tagName !== 'INPUT' && el.tagName !== 'SELECT'));
      assert.equal(overflow, false, 'nothing scrolls sideways');
      await h.screenshot('component-backup-dialog-long-names.png');
      const box = await f.dialog.boundingBox();
      assert.ok(box && box.width <= 1000, 'the dialog stays inside the window');
      await f.encrypt.click();
      await f.start.click();
      await f.dialog.waitFor({ state: 'detached' });
      assert.equal((await h.calls('jobs.startBackup'))[0]!.backup.length, 128);
    } finally {
      await h.close();
    }
  });
});
