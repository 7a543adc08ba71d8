/**
 * Scheduled backups from the Schedules page, in Debian's Chromium, against a
 * real `dvom serve` (in this process, its scheduler started) over a real
 * Docker engine, a temporary local store, a temporary config file and an
 * in-memory keychain: create a schedule for a plain backup (every hour, keep
 * the last 2), see its next run and the preview, turn it off and on, Run now
 * and follow the job on Activity, then see the result back on Schedules.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dockerSkipReason, useDockerFixture } from '../test/docker/docker-fixtures.ts';
import { newestJobTitle, openApp, waitForJobToFinish } from './backup-helpers.ts';
import { chromiumSkipReason, launchChromium, requireBuiltRenderer, screenshotPath, startServer } from './browser.ts';
import { closeAll, saveEnv } from './lifecycle.ts';

const TITLE = 'scheduled backups from the Schedules page, through dvom serve';
const SCHEDULE = 'e2e-hourly';
const skip = chromiumSkipReason() ?? (await dockerSkipReason());

if (skip) it(TITLE, { skip }, () => undefined);
else describe(TITLE, body);

interface ListedVersion {
  id: string;
}

function body() {
  const fx = useDockerFixture();
  let tmp = '';
  let browser: Browser;
  let served: Awaited<ReturnType<typeof startServer>>;
  let page: Page;
  let volume = '';
  let restoreEnv = () => {};

  const versionsOf = async (backup: string) => JSON.parse((await fx.dvomOk(['versions', backup, '--json'])).stdout) as ListedVersion[];
  const nav = (p: Page, name: string) => p.getByRole('navigation', { name: 'Main' }).getByRole('button', { name, exact: true });
  const card = (p: Page) => p.getByRole('list', { name: 'Schedules' }).getByRole('article', { name: SCHEDULE, exact: true });
  const cardText = async (p: Page) => (await card(p).innerText()).replace(/\s+/g, ' ');

  before(async () => {
    requireBuiltRenderer();
    restoreEnv = saveEnv(['DVOM_SCRYPT_N', 'DVOM_CONFIG', 'DVOM_BACKUP_DIR', 'DVOM_STATE']);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-e2e-schedules-'));
    // Fast key derivation, and a config (and run-state file next to it) of this test only.
    process.env.DVOM_SCRYPT_N = '1024';
    process.env.DVOM_CONFIG = path.join(tmp, 'config.json');
    delete process.env.DVOM_BACKUP_DIR;
    delete process.env.DVOM_STATE;
    volume = await fx.volume('sched');
    await fx.runInVolume(volume, 'set -e; mkdir -p /data/app; head -c 400000 /dev/urandom > /data/app/blob; echo hello > /data/app/hello.txt');
    // Scheduled runs add versions to an existing backup: its first (plain) version, made once.
    await fx.dvomOk(['backup', `--volume=${volume}`, `--name=${volume}`], { env: { DVOM_PASSWORD: undefined } });
    served = await startServer({ backupDir: fx.store });
    // As `dvom serve` does: the scheduler runs in the serving process.
    await served.app.scheduler.start();
    browser = await launchChromium();
    page = await openApp(browser, served.server.newLoginUrl());
  });

  after(() => closeAll({ browser, served, tmp }).finally(restoreEnv));

  it('creates a schedule from the editor, with a preview of five run times and of the versions kept', async () => {
    await nav(page, 'Schedules').click();
    const empty = page.getByRole('status', { name: 'No schedules yet' });
    await empty.waitFor();
    await page.screenshot({ path: await screenshotPath('schedules-empty.png') });
    await page.getByRole('button', { name: 'New schedule' }).click();
    await page.getByRole('heading', { name: 'New schedule', level: 1 }).waitFor();

    await page.getByRole('group', { name: 'Volumes' }).getByRole('checkbox', { name: volume, exact: true }).check();
    const backupName = page.getByLabel('Backup name');
    assert.equal(await backupName.inputValue(), volume, 'the existing backup of the volume is suggested');
    await page.getByText(`Adds versions to “${volume}” (1 version, not encrypted).`).waitFor();
    await page.getByLabel('Schedule name').fill(SCHEDULE);

    await page.getByRole('radio', { name: 'Interval' }).check();
    await page.getByLabel('Every', { exact: true }).fill('1');
    await page.getByRole('combobox', { name: 'Unit' }).selectOption('hours');
    for (const rule of ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly']) await page.getByRole('textbox', { name: `Keep ${rule}` }).fill('');
    await page.getByRole('textbox', { name: 'Keep last' }).fill('2');

    // The preview follows: five run times an hour apart, and the one version kept by "Last".
    const preview = page.getByRole('complementary', { name: 'Preview' });
    const runs = preview.getByRole('list', { name: 'Next runs' });
    // A new schedule's rules see only the versions it makes: the one made by hand stays.
    await preview.getByText(`This schedule has made no versions of “${volume}” yet, so its rules remove none.`).waitFor({ timeout: 10_000 });
    const own = page.getByRole('switch', { name: 'Only versions this schedule made' });
    assert.equal(await own.isChecked(), true);
    // With the rules on every version, the preview shows which one "Last" keeps.
    await own.uncheck();
    await preview.getByText(`Of 1 version of “${volume}”, 1 is kept: none would be removed.`).waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('.sch-preview-status')?.textContent === '');
    assert.equal(await runs.getByRole('listitem').count(), 5);
    const times = await runs.locator('time').evaluateAll((els) => els.map((el) => Date.parse(el.getAttribute('datetime') ?? '')));
    for (let i = 1; i < 5; i++) assert.equal(times[i]! - times[i - 1]!, 3600_000, `an hour apart: ${times.join(', ')}`);
    assert.ok(times[0]! > Date.now() && times[0]! <= Date.now() + 3600_000 + 60_000, 'the first run is within the hour');
    assert.match(await preview.getByRole('list', { name: 'Kept versions' }).innerText(), /Last/);
    await page.screenshot({ path: await screenshotPath('schedules-editor.png') });
    await own.check();
    await page.locator('.content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.screenshot({ path: await screenshotPath('schedules-editor-options.png') });

    await page.getByRole('button', { name: 'Save schedule' }).click();
    await card(page).waitFor();
    const text = await cardText(page);
    assert.match(text, /Every hour/);
    assert.match(text, /Next run .*in (\d+ minutes|1 hour)/i);
    assert.match(text, /Not run yet/);
    assert.match(text, /The last 2/);
    assert.match(text, new RegExp(`${volume} → ${volume}`));

    const config = JSON.parse(await fs.readFile(process.env.DVOM_CONFIG!, 'utf8')) as { schedules: unknown[] };
    assert.deepEqual(config.schedules, [
      {
        name: SCHEDULE,
        volumes: [volume],
        backup: volume,
        when: { kind: 'interval', every: 1, unit: 'hours' },
        retention: { last: 2 },
        ownVersionsOnly: true,
        stopContainers: [],
        enabled: true,
        catchUp: true,
        testRestoreEvery: 0,
        notifyOnSuccess: false,
      },
    ]);
  });

  it('turns the schedule off and on again', async () => {
    const toggle = page.getByRole('switch', { name: `${SCHEDULE} enabled` });
    assert.equal(await toggle.isChecked(), true);
    // The switch shows the new state at once and is disabled until the engine has saved it.
    const settled = () => page.waitForFunction((name) => document.querySelector<HTMLInputElement>(`[role=switch][aria-label="${name}"]`)?.disabled === false, `${SCHEDULE} enabled`);
    await toggle.click();
    await card(page).getByText('Off: runs only with Run now').waitFor();
    await settled();
    assert.equal(await toggle.isChecked(), false);
    let config = JSON.parse(await fs.readFile(process.env.DVOM_CONFIG!, 'utf8')) as { schedules: { enabled: boolean }[] };
    assert.equal(config.schedules[0]?.enabled, false);

    await toggle.click();
    await card(page).getByText(/in (\d+ minutes|1 hour)/).waitFor();
    await settled();
    assert.equal(await toggle.isChecked(), true);
    config = JSON.parse(await fs.readFile(process.env.DVOM_CONFIG!, 'utf8')) as { schedules: { enabled: boolean }[] };
    assert.equal(config.schedules[0]?.enabled, true);
    await page.screenshot({ path: await screenshotPath('schedules-list.png') });
  });

  it('looks right in dark mode, list and editor', async () => {
    const dark = await openApp(browser, served.server.newLoginUrl(), 'dark');
    try {
      await nav(dark, 'Schedules').click();
      await card(dark).waitFor();
      await dark.screenshot({ path: await screenshotPath('schedules-list-dark.png') });
      await dark.getByRole('button', { name: `Edit ${SCHEDULE}` }).click();
      await dark.getByRole('heading', { name: `Edit ${SCHEDULE}`, level: 1 }).waitFor();
      // Its rules see only its own versions, and it has made none yet.
      await dark.getByRole('complementary', { name: 'Preview' }).getByText(`This schedule has made no versions of “${volume}” yet`).waitFor({ timeout: 10_000 });
      await dark.screenshot({ path: await screenshotPath('schedules-editor-dark.png') });
      await dark.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await dark.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Edit ${SCHEDULE}`);
    } finally {
      await dark.context().close();
    }
  });

  it('Run now goes to Activity, where the job succeeds; back on Schedules the last result says so', async () => {
    await page.getByRole('button', { name: `Run ${SCHEDULE} now` }).click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    // The title names the run (Run now, at its start time), so it is read from the card.
    const title = await newestJobTitle(page, new RegExp(`^Scheduled backup ${SCHEDULE} \\(run now, `));
    assert.match(title, new RegExp(`: ${volume} to `));
    const done = await waitForJobToFinish(page, title);
    assert.equal(done.state, 'Succeeded', done.text);
    assert.match(done.text, /Version of [\d-]+ [\d:]+: \d+ files/);
    // Its rules see only the version it made; the one made by hand stays too.
    assert.match(done.text, /retention kept all 1/);

    await nav(page, 'Schedules').click();
    await card(page).getByText('Succeeded', { exact: true }).waitFor();
    const text = await cardText(page);
    assert.match(text, /Last run Succeeded (just now|\d+ seconds? ago|1 minute ago)/i);
    assert.match(text, /Version of [\d-]+ [\d:]+: \d+ files/);
    assert.equal((await versionsOf(volume)).length, 2);
    await page.screenshot({ path: await screenshotPath('schedules-list-ran.png') });
  });
}
