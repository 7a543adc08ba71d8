/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The Schedules page in Chromium over a fake API (see
 * test/renderer-harness/harness.ts): loading, empty and error states, the list
 * (next run, last result, enable switch, Pause all, Run now, Delete), the
 * password-missing warning, and the editor's validation and live preview.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SchedulePreview } from '../../../shared/api/contract.ts';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { backup, schedule, volume } from '../../../../test/renderer-harness/fixtures.ts';
import { card, cardText } from '../../../../test/renderer-harness/cards.ts';
import type { HarnessPage } from '../../../../test/renderer-harness/harness.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';
import { assertReadable } from '../../../../test/renderer-harness/contrast.ts';

const hourFrom = (start: string, i: number) => new Date(Date.parse(start) + i * 3600_000).toISOString();
const FIVE: SchedulePreview = { nextRuns: [0, 1, 2, 3, 4].map((i) => hourFrom('2031-05-06T10:00:00.000Z', i)) };

const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'test-results');

/** The whole page, scrolled parts included, to test-results/NAME (to look at). */
async function fullShot(h: HarnessPage, name: string): Promise<void> {
  await fs.mkdir(RESULTS_DIR, { recursive: true });
  await h.page.screenshot({ path: path.join(RESULTS_DIR, name), fullPage: true });
}

const list = (schedules: ScheduleStatus[], paused = false) => ({ result: { paused, schedules } });

/** The editor's fields by role and accessible name. */
function editor(h: HarnessPage) {
  const p = h.page;
  return {
    name: p.getByLabel('Schedule name'),
    volumes: p.getByRole('group', { name: 'Volumes' }),
    backup: p.getByLabel('Backup name'),
    storage: p.getByLabel('Storage'),
    kind: (label: string) => p.getByRole('radio', { name: label }),
    every: p.getByLabel('Every', { exact: true }),
    unit: p.getByRole('combobox', { name: 'Unit' }),
    at: p.getByLabel('Time of day'),
    cron: p.getByRole('textbox', { name: 'Cron expression' }),
    keep: (rule: string) => p.getByRole('textbox', { name: `Keep ${rule}` }),
    save: p.getByRole('button', { name: 'Save schedule' }),
    runs: p.getByRole('list', { name: 'Next runs' }),
    preview: p.getByRole('complementary', { name: 'Preview' }),
  };
}

describeInHarness('SchedulesPage (component, in Chromium)', (harness) => {
  it('shows a loading state, then an empty state that opens the editor', async () => {
    const h = await harness.open({ view: 'schedules' }, { before: (p) => p.reply('schedules.list', { pending: true }) });
    try {
      await h.page.getByRole('status', { name: 'Loading schedules…' }).waitFor();
      await h.release('schedules.list', list([]));
      const empty = h.page.getByRole('status', { name: 'No schedules yet' });
      await empty.waitFor();
      await h.screenshot('component-schedules-empty.png');
      await empty.getByRole('button', { name: 'Create a schedule' }).click();
      await h.page.getByRole('heading', { name: 'New schedule', level: 1 }).waitFor();
      assert.equal(await h.focused(), 'h1:New schedule', 'focus starts at the editor’s heading');
      await h.page.getByRole('button', { name: 'Cancel' }).click();
      await empty.waitFor();
      assert.equal(await h.focused(), 'button:New schedule', 'focus goes back to the New button');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('says in words when the list cannot be loaded, and Retry loads it', async () => {
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.replyOnce('schedules.list', { error: { code: 'ERROR', message: 'scheduled backups are not available yet' } });
        await p.reply('schedules.list', list([schedule()]));
      },
    });
    try {
      const alert = h.page.getByRole('alert', { name: 'Cannot list schedules' });
      await alert.waitFor();
      assert.match(await alert.innerText(), /Scheduled backups are not available yet\./);
      await alert.getByRole('button', { name: 'Retry' }).click();
      await card(h, 'nightly').waitFor();
      assert.equal(await alert.count(), 0);
    } finally {
      await h.close();
    }
  });

  it('lists schedules with when, next run, last result and what they keep; long names wrap', async () => {
    const longName = `media-${'x'.repeat(58)}`;
    const schedules = [
      schedule({ name: 'nightly', lastRun: { at: new Date(Date.now() - 5 * 60_000).toISOString(), outcome: 'succeeded', message: 'Version 20250102T030405Z-abc123: 300 files, 40.0 MiB' } }),
      schedule({
        name: longName,
        volumes: ['media-library-originals-2024', 'media-library-thumbnails'],
        backup: `media-${'y'.repeat(100)}`,
        target: 'nas',
        when: { kind: 'weekly', days: [1, 3, 5], at: '23:30' },
        retention: { last: 3, monthly: 12 },
        lastRun: { at: new Date(Date.now() - 26 * 3600_000).toISOString(), outcome: 'failed', message: "cannot reach storage target 'nas': connect ECONNREFUSED 10.0.0.5:445" },
      }),
      schedule({ name: 'every-15', when: { kind: 'interval', every: 15, unit: 'minutes' }, retention: {}, enabled: false, nextRun: null }),
      schedule({ name: 'cron-job', when: { kind: 'cron', expression: '30 2 * * 1-5' }, running: true, retention: { last: 2 } }),
    ];
    const h = await harness.open({ view: 'schedules' }, { before: (p) => p.reply('schedules.list', list(schedules)) });
    try {
      await card(h, 'nightly').waitFor();
      const names = await h.page.getByRole('list', { name: 'Schedules' }).getByRole('heading', { level: 2 }).allInnerTexts();
      assert.deepEqual(names, ['cron-job', 'every-15', longName, 'nightly'], 'sorted by name');

      const nightly = await cardText(h, 'nightly');
      assert.match(nightly, /Runs Every day at 02:00/i);
      assert.match(nightly, /Next run .* in 3 hours/i);
      assert.match(nightly, /Last run Succeeded 5 minutes ago/i);
      assert.match(nightly, /Keeps 7 daily and 4 weekly/i);
      assert.match(nightly, /pgdata → pgdata/);

      const long = await cardText(h, longName);
      assert.match(long, /Mon, Wed and Fri at 23:30/);
      assert.match(long, /Last run Failed yesterday/i);
      assert.match(long, /Cannot reach storage target 'nas': connect ECONNREFUSED/);
      assert.match(long, /The last 3 and 12 monthly/);
      assert.match(long, /nas/);

      assert.match(await cardText(h, 'every-15'), /Every 15 minutes.*Off: runs only with Run now.*Not run yet.*Every version/);
      assert.match(await cardText(h, 'cron-job'), /Cron 30 2 \* \* 1-5.*Running now/);
      assert.equal(await h.page.getByRole('button', { name: 'Run cron-job now' }).isDisabled(), true, 'a running schedule cannot be started twice');
      assert.equal(await h.page.getByRole('switch', { name: 'every-15 enabled' }).isChecked(), false);

      // Long names wrap inside the card: nothing sticks out sideways.
      const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0);
      const box = await card(h, longName).boundingBox();
      const title = await card(h, longName).getByRole('heading').boundingBox();
      assert.ok(box && title && title.x + title.width <= box.x + box.width, 'the long title stays inside its card');
      await fullShot(h, 'component-schedules-list.png');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('looks right in dark mode', async () => {
    const schedules = [
      schedule({ name: 'nightly', lastRun: { at: new Date(Date.now() - 5 * 60_000).toISOString(), outcome: 'succeeded', message: 'Version 20250102T030405Z-abc123: 300 files' } }),
      schedule({ name: 'vault', backup: 'vault', passwordMissing: true, lastRun: { at: new Date(Date.now() - 3600_000).toISOString(), outcome: 'failed', message: "backup 'vault' is encrypted: enter its password" } }),
      schedule({ name: 'every-15', when: { kind: 'interval', every: 15, unit: 'minutes' }, enabled: false, nextRun: null }),
    ];
    const h = await harness.open({ view: 'schedules' }, {
      context: { colorScheme: 'dark', viewport: { width: 1100, height: 760 } },
      before: (p) => p.reply('schedules.list', list(schedules, true)),
    });
    try {
      await card(h, 'vault').waitFor();
      assert.equal(await h.page.getByRole('switch', { name: 'Pause all schedules' }).isChecked(), true);
      assert.match(await cardText(h, 'nightly'), /Paused with all schedules/);
      await fullShot(h, 'component-schedules-list-dark.png');
      await assertReadable({
        'the page title': h.page.getByRole('heading', { name: 'Schedules', level: 1 }),
        'a schedule name': card(h, 'nightly').getByRole('heading', { name: 'nightly' }),
        'the New schedule button': h.page.getByRole('button', { name: 'New schedule' }),
      });
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('turns a schedule off and on, and says when that fails', async () => {
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([schedule()]));
        await p.replyOnce('schedules.setEnabled', { pending: true });
      },
    });
    try {
      const toggle = h.page.getByRole('switch', { name: 'nightly enabled' });
      await toggle.waitFor();
      assert.equal(await toggle.isChecked(), true);
      await toggle.focus();
      await h.page.keyboard.press('Space');
      // It shows the requested state at once, and waits for the engine.
      assert.equal(await toggle.isChecked(), false);
      assert.equal(await toggle.isDisabled(), true);
      assert.deepEqual(await h.calls('schedules.setEnabled'), [{ name: 'nightly', enabled: false }]);
      await h.release('schedules.setEnabled', { result: schedule({ enabled: false, nextRun: null }) });
      await h.page.getByText('Off: runs only with Run now').waitFor();
      assert.equal(await toggle.isChecked(), false);
      assert.equal(await toggle.isDisabled(), false);

      await h.reply('schedules.setEnabled', { error: { code: 'ERROR', message: 'cannot write the config file: permission denied' } });
      await toggle.click();
      const alert = card(h, 'nightly').getByRole('alert');
      await alert.waitFor();
      assert.equal(await alert.innerText(), 'Could not turn it on: Cannot write the config file: permission denied.');
      assert.equal(await toggle.isChecked(), false, 'back to what the engine has');
    } finally {
      await h.close();
    }
  });

  it('Pause all schedules holds them all, and resumes', async () => {
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([schedule()]));
        await p.reply('schedules.pauseAll', { result: { paused: true } });
      },
    });
    try {
      const pause = h.page.getByRole('switch', { name: 'Pause all schedules' });
      await pause.waitFor();
      assert.equal(await pause.isChecked(), false);
      await h.reply('schedules.list', list([schedule()], true));
      await pause.click();
      await h.page.getByText('Paused with all schedules').waitFor();
      assert.equal(await pause.isChecked(), true);
      assert.deepEqual(await h.calls('schedules.pauseAll'), [{ paused: true }]);

      await h.reply('schedules.pauseAll', { error: { code: 'DISCONNECTED', message: 'the connection to the DVOM server was lost' } });
      await pause.click();
      await h.page.getByRole('alert').filter({ hasText: 'Could not resume the schedules: The connection to the DVOM server was lost.' }).waitFor();
      assert.equal(await pause.isChecked(), true);
    } finally {
      await h.close();
    }
  });

  it('Run now starts the schedule and goes to Activity; a failure is said on its card', async () => {
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([schedule(), schedule({ name: 'weekly' })]));
        await p.replyOnce('schedules.runNow', { error: { code: 'ERROR', message: "volume 'pgdata' does not exist" } });
        await p.reply('schedules.runNow', { result: { jobId: 'job-00000000abcd' } });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'Run weekly now' }).click();
      const alert = card(h, 'weekly').getByRole('alert');
      await alert.waitFor();
      assert.equal(await alert.innerText(), "Could not start it: Volume 'pgdata' does not exist.");
      assert.equal((await h.navigation()).page, 'volumes', 'stays here');

      await h.page.getByRole('button', { name: 'Run nightly now' }).click();
      await h.page.waitForFunction(() => window.harness.navigation().page === 'activity');
      assert.deepEqual(await h.calls('schedules.runNow'), [{ name: 'weekly' }, { name: 'nightly' }]);
    } finally {
      await h.close();
    }
  });

  it('deletes a schedule only after confirmation', async () => {
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([schedule(), schedule({ name: 'weekly', backup: 'weekly-db' })]));
        await p.reply('schedules.remove', { result: { removed: true } });
      },
    });
    try {
      const remove = h.page.getByRole('button', { name: 'Delete weekly' });
      await remove.click();
      const dialog = h.page.getByRole('dialog', { name: 'Delete weekly?' });
      await dialog.waitFor();
      assert.match(await dialog.innerText(), /The backup “weekly-db” and its versions stay/);
      assert.equal(await h.focused(), 'button:Cancel', 'the safe choice has focus');
      await h.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await h.focused(), 'button:Delete weekly');
      assert.deepEqual(await h.calls('schedules.remove'), []);

      await remove.click();
      await dialog.getByRole('button', { name: 'Delete schedule' }).click();
      await card(h, 'weekly').waitFor({ state: 'detached' });
      assert.deepEqual(await h.calls('schedules.remove'), [{ name: 'weekly' }]);
      await card(h, 'nightly').waitFor();
      await h.page.getByRole('status').filter({ hasText: 'Deleted weekly.' }).waitFor();
    } finally {
      await h.close();
    }
  });

  it('warns in words when an encrypted backup’s password is missing, and remembers it', async () => {
    const vault = schedule({ name: 'vault-nightly', backup: 'vault', target: 'nas', passwordMissing: true });
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([vault]));
        await p.replyOnce('secrets.setPassword', { error: { code: 'WRONG_PASSWORD', message: 'wrong password' } });
        await p.reply('secrets.setPassword', { result: { stored: true } });
      },
    });
    try {
      await card(h, 'vault-nightly').waitFor();
      const t = await cardText(h, 'vault-nightly');
      assert.match(t, /Runs will fail: the password of “vault” is not remembered on this computer\./);
      assert.match(t, /Volumes page/);
      assert.match(t, /Remember in keychain/);
      await h.screenshot('component-schedules-password-missing.png');

      await h.page.getByRole('button', { name: 'Remember the password of vault' }).click();
      const dialog = h.page.getByRole('dialog', { name: 'Remember the password of vault' });
      const field = dialog.getByLabel('Password', { exact: true });
      assert.equal(await h.focused(), 'input:Password');
      await dialog.getByRole('button', { name: 'Remember password' }).click();
      await dialog.getByText('Enter the password.').waitFor();
      await field.fill('not it');
      await h.page.keyboard.press('Enter');
      await dialog.getByText('That is not the password of this backup. Try again.').waitFor();

      await h.reply('schedules.list', list([{ ...vault, passwordMissing: false }]));
      await field.fill('the right one');
      await dialog.getByRole('button', { name: 'Remember password' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.deepEqual((await h.calls('secrets.setPassword')).at(-1), { backup: 'vault', password: 'the right one', target: 'nas' });
      await card(h, 'vault-nightly').getByText('Runs will fail').waitFor({ state: 'detached' });
    } finally {
      await h.close();
    }
  });

  it('says what is wrong before saving: no volume, bad names, numbers and an invalid cron expression', async () => {
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([schedule()]));
        await p.reply('volumes.list', { result: [volume({ name: 'pgdata' }), volume({ name: 'redis' })] });
        await p.reply('schedules.preview', { result: FIVE });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'New schedule' }).click();
      const f = editor(h);
      await f.volumes.getByRole('checkbox', { name: 'pgdata' }).waitFor();
      await f.save.click();
      await h.page.getByText('Choose at least one volume to back up.').waitFor();
      await h.page.getByText('Enter a name for the schedule.').waitFor();
      await h.page.getByRole('alert').filter({ hasText: 'Fix the 3 problems marked above to save.' }).waitFor();
      assert.equal(await h.focused(), 'input:Schedule name', 'focus goes to the first problem');
      assert.equal(await f.name.getAttribute('aria-invalid'), 'true');

      // Choosing a volume fills in the names, and the problems go.
      await f.volumes.getByRole('checkbox', { name: 'redis' }).check();
      assert.equal(await f.name.inputValue(), 'redis');
      assert.equal(await f.backup.inputValue(), 'redis');
      await h.page.getByText('Choose at least one volume to back up.').waitFor({ state: 'detached' });
      // No backup “redis” yet: its first run would create it; not encrypted here (no password to type).
      await h.page.getByRole('switch', { name: 'Encrypt' }).uncheck();

      await f.name.fill('nightly');
      await h.page.getByText('A schedule named “nightly” already exists: choose another name.').waitFor();
      await f.name.fill('my schedule!');
      await h.page.getByText('Use only letters, digits, “.”, “_” and “-” (not spaces, “!”).').waitFor();
      await f.name.fill('redis-hourly');

      await f.keep('daily').fill('seven');
      await f.keep('daily').blur();
      await h.page.getByText('Enter a whole number.').waitFor();
      await f.keep('daily').fill('7');

      await f.kind('Cron').check();
      await f.cron.fill('0 25 * *');
      await f.cron.blur();
      const fieldCount = 'A cron expression has five fields (minute hour day-of-month month day-of-week); this one has 4.';
      await h.page.locator('.field-hint').filter({ hasText: fieldCount }).waitFor();
      await f.cron.fill('0 25 * * *');
      const hour = 'The hour field “25” is not valid: hour values go from 0 to 23.';
      await h.page.locator('.field-hint').filter({ hasText: hour }).waitFor();
      await f.preview.getByText(hour).waitFor();
      assert.equal(await f.cron.getAttribute('aria-invalid'), 'true');
      await fullShot(h, 'component-schedules-editor-invalid.png');
      assert.ok((await h.calls('schedules.preview')).every((c) => c.when.kind !== 'cron' || !c.when.expression.includes('25')), 'an invalid expression is never sent');

      await f.kind('Weekly').check();
      for (const day of ['Monday']) await h.page.getByRole('checkbox', { name: day }).uncheck();
      await f.save.click();
      await h.page.locator('.field-hint').filter({ hasText: 'Choose at least one day.' }).waitFor();
      assert.equal(await h.focused(), 'input:Monday');
      assert.deepEqual(await h.calls('schedules.save'), [], 'nothing is saved while something is wrong');
    } finally {
      await h.close();
    }
  });

  it('previews the next five runs as the user edits, and which versions the rules keep', async () => {
    const preview: SchedulePreview = {
      nextRuns: FIVE.nextRuns,
      retention: {
        keep: [
          { id: 'v5', createdAt: '2031-05-06T09:00:00.000Z', reasons: ['last', 'daily'] },
          { id: 'v4', createdAt: '2031-05-06T08:00:00.000Z', reasons: ['last'] },
          { id: 'v3', createdAt: '2031-05-05T09:00:00.000Z', reasons: ['daily'] },
        ],
        remove: [
          { id: 'v2', createdAt: '2031-05-05T08:00:00.000Z' },
          { id: 'v1', createdAt: '2031-05-04T08:00:00.000Z' },
        ],
      },
    };
    const h = await harness.open({ view: 'schedules' }, {
      context: { timezoneId: 'UTC', locale: 'en-GB' },
      before: async (p) => {
        await p.reply('schedules.list', list([]));
        await p.reply('volumes.list', { result: [volume({ name: 'pgdata', usedBy: [{ name: 'db', running: true }] })] });
        await p.reply('backups.list', { result: [backup({ name: 'pgdata', versions: 5, encrypted: false })] });
        await p.reply('targets.list', { result: [] });
        await p.reply('schedules.preview', { result: preview });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'Create a schedule' }).click();
      const f = editor(h);
      await f.volumes.getByRole('checkbox', { name: 'pgdata' }).check();
      await h.page.getByText('Adds versions to “pgdata” (5 versions, not encrypted).').waitFor();
      await f.runs.getByRole('listitem').nth(4).waitFor();
      assert.equal(await f.runs.getByRole('listitem').count(), 5);
      assert.match(await f.runs.getByRole('listitem').first().innerText(), /Tue,? 6 May 2031,? 10:00/);
      assert.match(await f.preview.innerText(), /UTC/);
      const kept = f.preview.getByRole('list', { name: 'Kept versions' });
      assert.equal(await kept.getByRole('listitem').count(), 3);
      assert.match((await kept.getByRole('listitem').first().innerText()).replace(/\s+/g, ' '), /6 May 2031,? 09:00 Last Daily/);
      assert.equal(await f.preview.getByRole('list', { name: 'Versions that would be removed' }).getByRole('listitem').count(), 2);
      assert.match(await f.preview.innerText(), /Of 5 versions of “pgdata”, 3 are kept and 2 would be removed after the next run\./);
      // The reply is canned, so the screen can be complete before the debounced call naming the backup is sent.
      await h.waitForCalls('schedules.preview', (calls) => calls.at(-1)?.backup === 'pgdata');
      const first = (await h.calls('schedules.preview')).at(-1);
      // The schedule is named after its first volume until a name is typed.
      assert.deepEqual(first, { when: { kind: 'daily', at: '02:00' }, retention: { daily: 7, weekly: 4, monthly: 6 }, backup: 'pgdata', schedule: 'pgdata', ownVersionsOnly: true });
      await fullShot(h, 'component-schedules-editor.png');

      // Typing: one call once typing pauses, with what was typed last.
      const before = (await h.calls('schedules.preview')).length;
      await f.kind('Interval').check();
      await f.every.fill('');
      await f.every.pressSequentially('12', { delay: 30 });
      await f.unit.selectOption('minutes');
      await f.keep('last').fill('2');
      await f.preview.getByRole('status').filter({ hasText: 'Updating…' }).waitFor();
      await h.waitForCalls('schedules.preview', (calls) => calls.length > before);
      await h.page.waitForFunction(() => document.querySelector('.sch-preview-status')?.textContent === '');
      const after = (await h.calls('schedules.preview')).slice(before);
      assert.ok(after.length <= 2, `debounced: ${after.length} calls`);
      // Keep rules still at their defaults follow the timing: 24 hourly versions for a schedule that runs every 12 minutes.
      assert.deepEqual(after.at(-1), { when: { kind: 'interval', every: 12, unit: 'minutes' }, retention: { last: 2, hourly: 24, daily: 7, weekly: 4, monthly: 6 }, backup: 'pgdata', schedule: 'pgdata', ownVersionsOnly: true });

      // The engine's own objection is said in the preview.
      await h.reply('schedules.preview', { error: { code: 'USAGE', message: 'the interval must divide an hour or a day evenly' } });
      await f.every.fill('7');
      await f.preview.getByRole('alert').filter({ hasText: 'The interval must divide an hour or a day evenly.' }).waitFor();
    } finally {
      await h.close();
    }
  });

  it('saves a new schedule, and an edit replaces the old one', async () => {
    const saved = schedule({ name: 'redis-hourly', volumes: ['redis'], backup: 'redis', when: { kind: 'interval', every: 1, unit: 'hours' }, retention: { last: 2 } });
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([schedule()]));
        await p.reply('volumes.list', { result: [volume({ name: 'redis', usedBy: [{ name: 'cache', running: true }, { name: 'worker', running: false }] })] });
        await p.reply('schedules.preview', { result: FIVE });
        await p.replyOnce('schedules.save', {
          error: { code: 'INVALID_ARGUMENT', message: 'schedules.save: schedule.backup: a backup name: 1-128 letters', field: 'schedule.backup', problem: 'a backup name: 1-128 letters' },
        });
        await p.reply('schedules.save', { result: saved });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'New schedule' }).click();
      const f = editor(h);
      await f.volumes.getByRole('checkbox', { name: 'redis' }).check();
      // No backup yet: the first run creates it, so the form asks how (here: not encrypted).
      await h.page.getByText('No backup “redis” in this store yet: the first run creates it (choose its encryption under New backup).').waitFor();
      await h.page.getByRole('switch', { name: 'Encrypt' }).uncheck();
      await f.name.fill('redis-hourly');
      await f.kind('Interval').check();
      await f.every.fill('1');
      for (const rule of ['hourly', 'daily', 'weekly', 'monthly']) await f.keep(rule).fill('');
      await f.keep('last').fill('2');
      // As in the backup dialog: the running user of the volume is stopped by default, the stopped one is not.
      assert.equal(await h.page.getByRole('checkbox', { name: 'cache' }).isChecked(), true);
      assert.equal(await h.page.getByRole('checkbox', { name: 'worker' }).isChecked(), false);
      await h.page.getByRole('checkbox', { name: 'cache' }).check();
      await h.page.getByRole('switch', { name: 'Notify on success' }).check();
      await h.page.getByLabel('Test restore every').fill('10');

      await f.save.click();
      await h.page.locator('.field-hint').filter({ hasText: 'A backup name: 1-128 letters.' }).waitFor();
      assert.equal(await h.focused(), 'input:Backup name', 'the engine’s objection is put at its field');
      await f.save.click();
      await h.page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
      const [sent] = (await h.calls('schedules.save')).slice(-1);
      assert.deepEqual(sent, {
        schedule: {
          name: 'redis-hourly',
          volumes: ['redis'],
          backup: 'redis',
          when: { kind: 'interval', every: 1, unit: 'hours' },
          retention: { last: 2 },
          ownVersionsOnly: true,
          stopContainers: ['cache'],
          enabled: true,
          catchUp: true,
          testRestoreEvery: 10,
          notifyOnSuccess: true,
          encrypt: false,
        },
      });
      await card(h, 'redis-hourly').waitFor();
      assert.equal(await h.focused(), 'h2:redis-hourly', 'focus goes to what was saved');
      await h.page.getByRole('status').filter({ hasText: 'Saved redis-hourly.' }).waitFor();

      // Edit: the form holds the schedule, and saving replaces it by its old name.
      await h.page.getByRole('button', { name: 'Edit nightly' }).click();
      await h.page.getByRole('heading', { name: 'Edit nightly', level: 1 }).waitFor();
      assert.equal(await f.name.inputValue(), 'nightly');
      assert.equal(await f.at.inputValue(), '02:00');
      assert.equal(await f.kind('Daily').isChecked(), true);
      await f.name.fill('nightly-db');
      // Its backup does not exist in this (fake) store either: saved to create it unencrypted.
      await h.page.getByRole('switch', { name: 'Encrypt' }).uncheck();
      await h.reply('schedules.save', { result: schedule({ name: 'nightly-db' }) });
      await f.save.click();
      await card(h, 'nightly-db').waitFor();
      assert.equal(await card(h, 'nightly').count(), 0, 'renamed, not copied');
      assert.deepEqual((await h.calls('schedules.save')).at(-1)?.replaces, 'nightly');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('a volume without a backup: asks whether to encrypt and for a password, checks it, and sends it once with the save', async () => {
    const saved = schedule({ name: 'fresh', volumes: ['fresh'], backup: 'fresh', encrypt: true });
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([]));
        await p.reply('volumes.list', { result: [volume({ name: 'fresh', size: 0, empty: true })] });
        await p.reply('schedules.preview', { result: FIVE });
        await p.reply('schedules.save', { result: saved });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'Create a schedule' }).click();
      const f = editor(h);
      await f.volumes.getByRole('checkbox', { name: 'fresh' }).check();
      const section = h.page.getByRole('region', { name: 'New backup' });
      await section.getByText('The first run creates “fresh”. Its encryption is chosen now, once: it cannot change later.').waitFor();
      const encrypt = section.getByRole('switch', { name: 'Encrypt' });
      assert.equal(await encrypt.isChecked(), true, 'encrypted unless the user says otherwise');
      const password = section.getByLabel('Password', { exact: true });
      const confirm = section.getByLabel('Confirm password');
      assert.equal(await password.getAttribute('type'), 'password');

      await f.save.click();
      await section.getByText('Enter a password for the new backup.').waitFor();
      assert.equal(await h.focused(), 'input:Password');
      await password.fill('s3cret schedule');
      await confirm.fill('s3cret schedul');
      await f.save.click();
      await section.getByText('The passwords do not match.').waitFor();
      assert.equal(await h.focused(), 'input:Confirm password');
      assert.deepEqual(await h.calls('schedules.save'), [], 'nothing is sent while the password is missing or unconfirmed');

      await confirm.fill('s3cret schedule');
      await f.save.click();
      await h.page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
      const [sent] = await h.calls('schedules.save');
      assert.equal(sent?.password, 's3cret schedule');
      assert.equal(sent?.schedule.encrypt, true);
      assert.equal(sent?.schedule.backup, 'fresh');
      assert.equal(JSON.stringify(sent?.schedule).includes('s3cret'), false, 'the password is never part of the schedule');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('an encrypted backup whose password is not remembered: saving it enabled is refused in words, with Remember password', async () => {
    const vault = backup({ name: 'vault', volumes: ['vault'], encrypted: true, passwordRemembered: false, versions: 4 });
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([]));
        await p.reply('volumes.list', { result: [volume({ name: 'vault' })] });
        await p.reply('backups.list', { result: [vault] });
        await p.reply('schedules.preview', { result: FIVE });
        await p.reply('secrets.setPassword', { result: { stored: true } });
        // The engine has the last word: its typed refusal (by code and field) is shown where the editor's is.
        await p.replyOnce('schedules.save', {
          error: { code: 'PASSWORD_NOT_REMEMBERED', message: "backup 'vault' is encrypted and its password is not remembered", field: 'password', problem: 'its password is not remembered on this computer' },
        });
        await p.reply('schedules.save', { result: schedule({ name: 'vault', volumes: ['vault'], backup: 'vault' }) });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'Create a schedule' }).click();
      const f = editor(h);
      await f.volumes.getByRole('checkbox', { name: 'vault' }).check();
      await h.page.getByText('The password of “vault” is not remembered on this computer.').waitFor();
      assert.equal(await h.page.getByRole('region', { name: 'New backup' }).count(), 0, 'an existing backup keeps its encryption');
      await f.save.click();
      await h.page.getByRole('alert').filter({ hasText: 'Runs could not open it, so an enabled schedule cannot be saved: remember the password, or turn off Enabled to save it disabled.' }).waitFor();
      assert.deepEqual(await h.calls('schedules.save'), [], 'refused before anything is sent');
      await h.page.getByText('The password of “vault” is not remembered on this computer.').scrollIntoViewIfNeeded();
      await h.screenshot('component-schedules-locked-out.png');

      await h.page.getByRole('button', { name: 'Remember the password of vault' }).click();
      const dialog = h.page.getByRole('dialog', { name: 'Remember the password of vault' });
      await dialog.getByLabel('Password', { exact: true }).fill('vault password');
      await dialog.getByRole('button', { name: 'Remember password' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.deepEqual((await h.calls('secrets.setPassword')).at(-1), { backup: 'vault', password: 'vault password' });
      await h.page.getByText('The password of “vault” is not remembered on this computer.').waitFor({ state: 'detached' });

      await f.save.click();
      await h.page.getByRole('alert').filter({ hasText: 'Its password is not remembered on this computer.' }).waitFor();
      assert.equal((await h.calls('schedules.save')).length, 1);
      assert.equal((await h.calls('schedules.save'))[0]?.password, undefined, 'an existing backup’s password is never sent with the schedule');
      await f.save.click();
      await h.page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  const STACK_VOLUMES = [
    volume({ name: 'shop_db', stack: 'shop', usedBy: [{ name: 'shop-db-1', running: true }] }),
    volume({ name: 'shop_files', stack: 'shop' }),
    volume({ name: 'loose' }),
  ];

  it('creates a stack schedule: the stack is saved with no volumes and no containers to stop, and its card names the stack', async () => {
    const saved = schedule({ name: 'shop', volumes: [], stack: 'shop', backup: 'shop' });
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([]));
        await p.reply('volumes.list', { result: STACK_VOLUMES });
        await p.reply('backups.list', { result: [backup({ name: 'shop', volumes: ['shop_db', 'shop_files'], encrypted: false })] });
        await p.reply('schedules.preview', { result: FIVE });
        await p.reply('schedules.save', { result: saved });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'Create a schedule' }).click();
      const f = editor(h);
      await f.volumes.getByRole('checkbox', { name: 'loose' }).check();
      await f.kind('A Compose stack').check();
      assert.equal(await f.volumes.count(), 0, 'a stack takes no volume choice');
      await h.page.getByLabel('Stack', { exact: true }).selectOption('shop');
      await h.page.getByText('Its volumes now: shop_db, shop_files.').waitFor();
      await h.page.getByText('stops its running containers in dependency order', { exact: false }).waitFor();
      assert.equal(await h.page.getByRole('group', { name: 'Containers to stop' }).count(), 0, 'the stack stops its containers itself');
      assert.equal(await f.name.inputValue(), 'shop');
      assert.equal(await f.backup.inputValue(), 'shop');
      await f.save.click();
      await h.page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
      const [sent] = await h.calls('schedules.save');
      assert.equal(sent?.schedule.stack, 'shop');
      assert.deepEqual(sent?.schedule.volumes, []);
      assert.deepEqual(sent?.schedule.stopContainers, []);
      assert.match(await cardText(h, 'shop'), /Stack shop → shop/);
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('editing a stack schedule and saving it unchanged keeps the stack', async () => {
    const stacked = schedule({ name: 'shop-nightly', volumes: [], stack: 'shop', backup: 'shop-nightly' });
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([stacked]));
        await p.reply('volumes.list', { result: STACK_VOLUMES });
        await p.reply('backups.list', { result: [backup({ name: 'shop-nightly', volumes: ['shop_db', 'shop_files'], encrypted: false })] });
        await p.reply('schedules.preview', { result: FIVE });
        await p.reply('schedules.save', { result: stacked });
      },
    });
    try {
      assert.match(await cardText(h, 'shop-nightly'), /Stack shop → shop-nightly/);
      await h.page.getByRole('button', { name: 'Edit shop-nightly' }).click();
      const f = editor(h);
      await h.page.getByRole('heading', { name: 'Edit shop-nightly', level: 1 }).waitFor();
      assert.equal(await f.kind('A Compose stack').isChecked(), true);
      assert.equal(await h.page.getByLabel('Stack', { exact: true }).inputValue(), 'shop');
      await f.save.click();
      await h.page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
      const [sent] = await h.calls('schedules.save');
      assert.equal(sent?.replaces, 'shop-nightly');
      assert.equal(sent?.schedule.stack, 'shop');
      assert.deepEqual(sent?.schedule.volumes, []);
      assert.deepEqual(sent?.schedule.stopContainers, []);
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('a very weak new-backup password blocks saving until “Use this very weak password anyway” is ticked', async () => {
    const h = await harness.open({ view: 'schedules' }, {
      before: async (p) => {
        await p.reply('schedules.list', list([]));
        await p.reply('volumes.list', { result: [volume({ name: 'fresh', size: 0, empty: true })] });
        await p.reply('schedules.preview', { result: FIVE });
        await p.reply('schedules.save', { result: schedule({ name: 'fresh', volumes: ['fresh'], backup: 'fresh', encrypt: true }) });
      },
    });
    try {
      await h.page.getByRole('button', { name: 'Create a schedule' }).click();
      const f = editor(h);
      await f.volumes.getByRole('checkbox', { name: 'fresh' }).check();
      const section = h.page.getByRole('region', { name: 'New backup' });
      await section.getByLabel('Password', { exact: true }).fill('abc');
      await section.getByLabel('Confirm password').fill('abc');
      const accept = section.getByRole('checkbox', { name: 'Use this very weak password anyway' });
      await accept.waitFor();
      assert.equal(await section.getByRole('meter', { name: 'Password strength' }).getAttribute('aria-valuenow'), '0');
      await f.save.click();
      await section.getByText('Tick this to use a very weak password, or choose a stronger one.').waitFor();
      assert.equal(await accept.evaluate((el) => el === document.activeElement), true, 'focus goes to the confirmation');
      assert.deepEqual(await h.calls('schedules.save'), [], 'nothing is sent before the second yes');
      await accept.check();
      await f.save.click();
      await h.page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
      const [sent] = await h.calls('schedules.save');
      assert.equal(sent?.password, 'abc');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  for (const [width, height] of [
    [1280, 800],
    [800, 600],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`the editor for a new stack backup with a very weak password, ${width}x${height} ${scheme} (screenshot)`, async () => {
        const h = await harness.open({ view: 'schedules' }, {
          context: { colorScheme: scheme, viewport: { width, height } },
          before: async (p) => {
            await p.reply('schedules.list', list([]));
            await p.reply('volumes.list', { result: STACK_VOLUMES });
            await p.reply('backups.list', { result: [] });
            await p.reply('schedules.preview', { result: FIVE });
          },
        });
        try {
          await h.page.getByRole('button', { name: 'Create a schedule' }).click();
          const f = editor(h);
          await f.kind('A Compose stack').check();
          await h.page.getByLabel('Stack', { exact: true }).selectOption('shop');
          const section = h.page.getByRole('region', { name: 'New backup' });
          await section.getByLabel('Password', { exact: true }).fill('abc');
          await section.getByLabel('Confirm password').fill('abc');
          await section.getByRole('checkbox', { name: 'Use this very weak password anyway' }).waitFor();
          await f.save.click();
          await section.getByText('Tick this to use a very weak password', { exact: false }).waitFor();
          await f.runs.getByRole('listitem').nth(4).waitFor();
          await h.page.getByRole('region', { name: 'What to back up' }).scrollIntoViewIfNeeded();
          await h.screenshot(`component-schedules-stack-${width}x${height}-${scheme}.png`);
          await section.scrollIntoViewIfNeeded();
          await h.screenshot(`component-schedules-weak-${width}x${height}-${scheme}.png`);
          await fullShot(h, `component-schedules-stack-${width}x${height}-${scheme}-full.png`);
          await assertReadable({
            'the stack volumes': h.page.getByText('Its volumes now: shop_db, shop_files.'),
            'the weak problem': section.getByText('Tick this to use a very weak password', { exact: false }),
          });
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });

      it(`an hourly schedule's keep rules start at 24 hourly versions, ${width}x${height} ${scheme} (screenshot)`, async () => {
        const h = await harness.open({ view: 'schedules' }, {
          context: { colorScheme: scheme, viewport: { width, height } },
          before: async (p) => {
            await p.reply('schedules.list', list([]));
            await p.reply('volumes.list', { result: [volume({ name: 'pgdata' })] });
            await p.reply('schedules.preview', { result: FIVE });
          },
        });
        try {
          await h.page.getByRole('button', { name: 'Create a schedule' }).click();
          const f = editor(h);
          assert.equal(await f.keep('hourly').inputValue(), '');
          await f.kind('Interval').check();
          assert.equal(await f.keep('hourly').inputValue(), '24');
          assert.equal(await f.keep('daily').inputValue(), '7');
          const keep = h.page.getByRole('region', { name: 'Keep' });
          await keep.scrollIntoViewIfNeeded();
          await h.screenshot(`component-schedules-keep-hourly-${width}x${height}-${scheme}.png`);
          await assertReadable({ 'the keep text': keep.getByText('the rules follow how often the schedule runs', { exact: false }) });
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });

      it(`the editor for a new volume with encryption, ${width}x${height} ${scheme} (screenshot)`, async () => {
        const h = await harness.open({ view: 'schedules' }, {
          context: { colorScheme: scheme, viewport: { width, height } },
          before: async (p) => {
            await p.reply('schedules.list', list([]));
            await p.reply('volumes.list', { result: [volume({ name: 'fresh', size: 0, empty: true }), volume({ name: 'pgdata' })] });
            await p.reply('schedules.preview', { result: FIVE });
          },
        });
        try {
          await h.page.getByRole('button', { name: 'Create a schedule' }).click();
          const f = editor(h);
          await f.volumes.getByRole('checkbox', { name: 'fresh' }).check();
          const section = h.page.getByRole('region', { name: 'New backup' });
          await section.getByLabel('Password', { exact: true }).fill('s3cret schedule');
          await section.getByLabel('Confirm password').fill('s3cret');
          await f.save.click();
          await section.getByText('The passwords do not match.').waitFor();
          await f.runs.getByRole('listitem').nth(4).waitFor();
          await section.scrollIntoViewIfNeeded();
          await h.screenshot(`component-schedules-new-backup-${width}x${height}-${scheme}.png`);
          await fullShot(h, `component-schedules-new-backup-${width}x${height}-${scheme}-full.png`);
          await assertReadable({
            'the section heading': section.getByRole('heading', { name: 'New backup' }),
            'the password hint': section.getByText('Kept in this computer’s keychain', { exact: false }),
            'the mismatch': section.getByText('The passwords do not match.'),
          });
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }

  it('the editor in dark mode, with a long name', async () => {
    const long = schedule({ name: `archive-${'z'.repeat(55)}`, volumes: ['pgdata'], backup: 'pgdata', when: { kind: 'weekly', days: [1, 4], at: '03:15' }, retention: { last: 3, daily: 7 } });
    const h = await harness.open({ view: 'schedules' }, {
      context: { colorScheme: 'dark', viewport: { width: 1100, height: 900 } },
      before: async (p) => {
        await p.reply('schedules.list', list([long]));
        await p.reply('volumes.list', { result: [volume({ name: 'pgdata', usedBy: [{ name: 'db', running: true }] }), volume({ name: 'redis' })] });
        await p.reply('backups.list', { result: [backup({ name: 'pgdata', versions: 2, encrypted: false })] });
        await p.reply('schedules.preview', {
          result: { nextRuns: FIVE.nextRuns, retention: { keep: [{ id: 'a', createdAt: '2031-05-06T09:00:00.000Z', reasons: ['last', 'daily'] }, { id: 'b', createdAt: '2031-05-05T09:00:00.000Z', reasons: ['last'] }], remove: [] } },
        });
      },
    });
    try {
      await h.page.getByRole('button', { name: `Edit ${long.name}` }).click();
      const f = editor(h);
      await f.runs.getByRole('listitem').nth(4).waitFor();
      assert.equal(await h.page.getByRole('checkbox', { name: 'Thursday' }).isChecked(), true);
      await fullShot(h, 'component-schedules-editor-dark.png');
      await assertReadable({
        'a field label': h.page.getByText('Backup name', { exact: true }).first(),
        'a day': h.page.getByText('Thu', { exact: true }).first(),
        'the Cancel button': h.page.getByRole('button', { name: 'Cancel' }),
      });
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });
});
