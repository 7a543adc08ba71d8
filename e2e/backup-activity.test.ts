/**
 * Backing up from the Volumes page and following it on Activity, in Debian's
 * Chromium, against a real `dvom serve` (in this process) over a real Docker
 * engine, a temporary local store, a temporary config file and an in-memory
 * keychain: an encrypted backup (stopping the container that uses the
 * volume), a second version with the remembered password, and a plain one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dockerSkipReason, useDockerFixture } from '../test/docker/docker-fixtures.ts';
import { chromiumSkipReason, launchChromium, requireBuiltRenderer, screenshotPath, startServer } from './browser.ts';
import { closeAll, saveEnv } from './lifecycle.ts';
import { backupDialog, newestJob, openApp, openBackupDialog, recordProgress, volumeRow, waitForJobToFinish } from './backup-helpers.ts';

const TITLE = 'backing up from the Volumes page and following it on Activity, through dvom serve';
const PASSWORD = 'lantern orchard velvet ninety';
const skip = chromiumSkipReason() ?? (await dockerSkipReason());

if (skip) it(TITLE, { skip }, () => undefined);
else describe(TITLE, body);

interface ListedBackup {
  name: string;
  encrypted: boolean;
  versions: number;
  volumes: string[];
}

function body() {
  const fx = useDockerFixture();
  let tmp = '';
  let browser: Browser;
  let served: Awaited<ReturnType<typeof startServer>>;
  let page: Page;
  let volume = '';
  let container = '';
  let restoreEnv = () => {};

  const listBackups = async () => JSON.parse((await fx.dvomOk(['list', '--json'])).stdout) as ListedBackup[];

  before(async () => {
    requireBuiltRenderer();
    restoreEnv = saveEnv(['DVOM_SCRYPT_N', 'DVOM_CONFIG', 'DVOM_BACKUP_DIR']);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-e2e-backup-'));
    // Fast key derivation for the test, and no developer config (default target…) in the server under test.
    process.env.DVOM_SCRYPT_N = '1024';
    process.env.DVOM_CONFIG = path.join(tmp, 'config.json');
    delete process.env.DVOM_BACKUP_DIR;
    volume = await fx.volume('appdata');
    await fx.runInVolume(
      volume,
      [
        'set -e',
        'mkdir -p /data/db /data/logs',
        'dd if=/dev/urandom of=/data/db/table.bin bs=1024 count=4096 2>/dev/null',
        'head -c 700000 /dev/urandom > /data/db/index.bin',
        'for i in 1 2 3 4 5 6 7 8; do echo "line $i" > /data/logs/app-$i.log; done',
      ].join('\n'),
    );
    container = await fx.startContainer('db', volume);
    served = await startServer({ backupDir: fx.store });
    browser = await launchChromium();
    page = await openApp(browser, served.server.newLoginUrl());
  });

  after(() => closeAll({ browser, served, tmp }).finally(restoreEnv));

  it('starts an encrypted backup from the Volumes row and follows it to 100 % on Activity', async () => {
    await volumeRow(page, volume).waitFor();
    await page.screenshot({ path: await screenshotPath('volumes-with-backup-buttons.png') });
    const f = await openBackupDialog(page, volume);

    assert.equal(await f.name.inputValue(), volume, 'the name defaults to the volume’s');
    assert.equal(await f.encrypt.isChecked(), true, 'encrypted by default');
    assert.equal(await f.remember.isChecked(), true);
    const stop = f.dialog.getByRole('checkbox', { name: new RegExp(container) });
    assert.equal(await stop.isChecked(), true, 'the running container is stopped for the backup');
    await f.password.fill(PASSWORD);
    await f.confirm.fill(PASSWORD);
    await f.dialog.getByRole('meter', { name: 'Password strength' }).and(page.locator('[aria-valuetext]:not([aria-valuetext="No password yet"])')).waitFor();
    await page.screenshot({ path: await screenshotPath('backup-dialog.png') });

    const title = `Back up ${volume} to ${volume} on the default store`;
    const seen = await recordProgress(page, title);
    await f.start.click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    assert.equal(await f.dialog.count(), 0, 'the dialog closed');

    const done = await waitForJobToFinish(page, title);
    assert.equal(done.state, 'Succeeded', done.text);
    assert.equal(done.valueNow, '100');
    assert.match(done.text, /Version of [\d-]+ [\d:]+: \d+ files, 4\.\d+ MiB/);
    assert.match(done.text, /Deduplicated \d+% · [\d.]+ \w?i?B new/i, 'the dedup figure of a backup');
    const values = await seen();
    assert.equal(values.at(-1), '100', `progress seen: ${values.join(' → ')}`);
    await page.screenshot({ path: await screenshotPath('activity.png') });

    const [listed] = (await listBackups()).filter((b) => b.name === volume);
    assert.ok(listed, 'the backup exists');
    assert.equal(listed.encrypted, true);
    assert.deepEqual(listed.volumes, [volume]);
    assert.equal((await fx.inspect(container)).running, true, 'the container runs again');
  });

  it('a second version needs no password: it is remembered, and encryption is fixed', async () => {
    const f = await openBackupDialog(page, volume);
    const password = f.dialog.getByLabel(`Password of ${volume}`);
    await password.waitFor();
    assert.equal(await f.encrypt.isChecked(), true);
    assert.equal(await f.encrypt.isDisabled(), true, 'an existing backup keeps its encryption');
    assert.match(await f.dialog.innerText(), /Remembered in the keychain/);
    assert.match(await f.dialog.innerText(), /already exists here \(encrypted\)/);
    await page.screenshot({ path: await screenshotPath('backup-dialog-existing.png') });
    await f.start.click();

    const title = `Back up ${volume} to ${volume} on the default store`;
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    await page.getByRole('list', { name: 'Jobs' }).getByRole('article', { name: title, exact: true }).nth(1).waitFor();
    const done = await waitForJobToFinish(page, title);
    assert.equal(done.state, 'Succeeded', done.text);
    assert.equal(done.valueNow, '100');
    assert.match(done.text, /Deduplicated (100|9\d)% · /i, `unchanged data is deduplicated: ${done.text}`);
    const [listed] = (await listBackups()).filter((b) => b.name === volume);
    assert.equal(listed?.versions, 2);
  });

  it('a plain backup of the same volume with Encrypt off', async () => {
    const f = await openBackupDialog(page, volume);
    const plain = `${volume}-plain`;
    await f.name.fill(plain);
    await f.encrypt.waitFor();
    assert.equal(await f.encrypt.isDisabled(), false, 'a new name is a new backup');
    await f.encrypt.uncheck();
    assert.equal(await f.password.count(), 0, 'no password without encryption');
    await f.dialog.getByRole('checkbox', { name: new RegExp(container) }).uncheck();
    await page.screenshot({ path: await screenshotPath('backup-dialog-plain.png') });
    await f.start.click();

    const title = `Back up ${volume} to ${plain} on the default store`;
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    const done = await waitForJobToFinish(page, title);
    assert.equal(done.state, 'Succeeded', done.text);
    assert.equal(done.valueNow, '100');
    const [listed] = (await listBackups()).filter((b) => b.name === plain);
    assert.equal(listed?.encrypted, false);
    assert.equal(await newestJob(page, `Back up ${volume} to ${volume} on the default store`).isVisible(), true, 'the earlier jobs stay in the history');
  });

  it('a wrong password is refused by the engine and said at the field; Encrypt stays off for the plain backup', async () => {
    const f = await openBackupDialog(page, volume);
    const password = f.dialog.getByLabel(`Password of ${volume}`);
    await password.fill('not the password');
    await f.start.click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
    const said = await password.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')!)?.textContent ?? '');
    assert.match(said, /password/i, said);
    assert.doesNotMatch(said, /\bat .*:\d+:\d+/, 'no stack trace');
    assert.equal(await f.dialog.isVisible(), true, 'the dialog stays open to correct it');
    await page.screenshot({ path: await screenshotPath('backup-dialog-wrong-password.png') });

    await f.name.fill(`${volume}-plain`);
    await page.waitForFunction(() => (document.querySelector('[role=switch]') as HTMLInputElement | null)?.disabled === true);
    assert.equal(await f.encrypt.isChecked(), false, 'the existing plain backup fixes Encrypt off');
    await page.keyboard.press('Escape');
    await f.dialog.waitFor({ state: 'detached' });
    assert.equal(await volumeRow(page, volume).getByRole('button', { name: `Back up ${volume}` }).evaluate((el) => el === document.activeElement), true);
  });

  it('looks right in the dark theme', async () => {
    const dark = await openApp(browser, served.server.newLoginUrl(), 'dark');
    try {
      await dark.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Activity' }).click();
      await dark.getByRole('list', { name: 'Jobs' }).waitFor();
      await dark.screenshot({ path: await screenshotPath('activity-dark.png') });
      await dark.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Volumes' }).click();
      await volumeRow(dark, volume).getByRole('button', { name: `Back up ${volume}` }).click();
      const d = backupDialog(dark, volume);
      await d.name.fill(`${volume}-new`);
      await d.password.fill('short');
      await d.confirm.fill('shorter');
      await d.start.click();
      await dark.getByRole('meter', { name: 'Password strength' }).and(dark.locator('[aria-valuetext]:not([aria-valuetext="No password yet"])')).waitFor();
      await dark.screenshot({ path: await screenshotPath('backup-dialog-dark.png') });
    } finally {
      await dark.context().close();
    }
  });
}
