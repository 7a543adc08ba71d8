/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The Activity page in Chromium over a fake API (see
 * test/renderer-harness/harness.ts): loading, empty and error states, live
 * progress from job.updated events, cancel, outcomes and errors in full.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { job, MiB, progress } from '../../../../test/renderer-harness/fixtures.ts';
import { card, cardText } from '../../../../test/renderer-harness/cards.ts';
import type { HarnessPage } from '../../../../test/renderer-harness/harness.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

const bar = (h: HarnessPage, title: string) => h.page.getByRole('progressbar', { name: title, exact: true });

describeInHarness('ActivityPage (component, in Chromium)', (harness) => {
  it('shows a loading state, then an empty state that leads to Volumes', async () => {
    const h = await harness.open({ view: 'activity' }, { before: (p) => p.reply('jobs.list', { pending: true }) });
    try {
      await h.page.getByRole('status', { name: 'Loading activity…' }).waitFor();
      await h.release('jobs.list', { result: [] });
      const empty = h.page.getByRole('status', { name: 'No activity yet' });
      await empty.waitFor();
      await empty.getByRole('button', { name: 'Back up a volume' }).click();
      assert.equal((await h.navigation()).page, 'volumes');
      assert.deepEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('says in words when the list cannot be loaded, and Retry loads it', async () => {
    const running = job({ title: 'Back up web to web' });
    const h = await harness.open({ view: 'activity' }, {
      before: async (p) => {
        await p.replyOnce('jobs.list', { error: { code: 'DISCONNECTED', message: 'cannot connect to the DVOM server' } });
        await p.reply('jobs.list', { result: [running] });
      },
    });
    try {
      const alert = h.page.getByRole('alert', { name: 'Cannot list jobs' });
      await alert.waitFor();
      assert.match(await alert.innerText(), /Cannot connect to the DVOM server\. This page reconnects by itself while dvom serve runs\. Each link dvom serve prints logs one browser in, once/);
      await alert.getByRole('button', { name: 'Retry' }).click();
      await bar(h, 'Back up web to web').waitFor();
      assert.equal(await alert.count(), 0);
    } finally {
      await h.close();
    }
  });

  it('shows a running job’s progress, speed, time left and deduplication, and follows its events to 100 %', async () => {
    const j = job({ title: 'Back up pgdata to nightly', progress: progress({ bytesDone: 18 * MiB, bytesTotal: 40 * MiB, bytesNew: 6 * MiB, rate: 9 * MiB, etaSeconds: 150 }) });
    const h = await harness.open({ view: 'activity' }, { before: (p) => p.reply('jobs.list', { result: [j] }) });
    try {
      const b = bar(h, j.title);
      await b.waitFor();
      assert.equal(await b.getAttribute('aria-valuenow'), '45');
      assert.equal(await b.getAttribute('aria-valuemin'), '0');
      assert.equal(await b.getAttribute('aria-valuemax'), '100');
      assert.equal(await b.getAttribute('aria-valuetext'), '45 percent, 18.0 MiB of 40.0 MiB');
      const t = await cardText(h, j.title);
      assert.match(t, /Running\W+Backup\W+started/);
      assert.match(t, /Backing up/);
      assert.match(t, /18\.0 MiB of 40\.0 MiB/);
      assert.match(t, /120 of 300/);
      assert.match(t, /9\.00 MiB\/s/);
      assert.match(t, /about 2 min 30 s/);
      assert.match(t, /Deduplicated 67% · 6\.00 MiB new/i);
      await h.page.getByRole('heading', { name: '1 running, 0 finished' }).waitFor();
      await h.screenshot('component-activity-running.png');

      await h.emit('job.updated', { ...j, progress: progress({ phase: 'finalizing', bytesDone: 40 * MiB, bytesTotal: 40 * MiB, bytesNew: 6 * MiB }) });
      await h.page.waitForFunction((title) => document.querySelector(`[role=progressbar][aria-label="${title}"]`)?.getAttribute('aria-valuenow') === '99', j.title);
      assert.match(await cardText(h, j.title), /Finishing/);

      const result = 'Version 2025-01-02-0304: 300 files, 40.0 MiB; 6.00 MiB stored (85% deduplicated)';
      await h.emit('job.updated', { ...j, state: 'succeeded', finishedAt: new Date().toISOString(), result, progress: progress({ phase: 'done', bytesDone: 40 * MiB, bytesTotal: 40 * MiB }) });
      await card(h, j.title).getByText(result).waitFor();
      assert.equal(await b.getAttribute('aria-valuenow'), '100');
      assert.equal(await card(h, j.title).getByRole('button', { name: `Cancel ${j.title}` }).count(), 0);
      assert.match(await cardText(h, j.title), /Succeeded\W+Backup/);
      await h.page.getByRole('status').filter({ hasText: `${j.title}: succeeded.` }).waitFor();
    } finally {
      await h.close();
    }
  });

  it('cancels a running job', async () => {
    const j = job({ title: 'Restore pgdata into pgdata-copy', kind: 'restore', progress: progress({ phase: 'restoring', bytesNew: undefined }) });
    const h = await harness.open({ view: 'activity' }, { before: (p) => p.reply('jobs.list', { result: [j] }) });
    try {
      const cancel = h.page.getByRole('button', { name: `Cancel ${j.title}` });
      await cancel.click();
      await h.page.getByRole('button', { name: `Cancel ${j.title}` }).and(h.page.getByText('Cancelling…')).waitFor();
      assert.equal(await cancel.isDisabled(), true);
      assert.deepEqual(await h.calls('jobs.cancel'), [{ jobId: j.id }]);
      assert.doesNotMatch(await cardText(h, j.title), /Deduplicated/i, 'only backups dedupe');
      await h.emit('job.updated', { ...j, state: 'cancelled', finishedAt: new Date().toISOString(), error: { code: 'CANCELLED', message: 'operation cancelled' } });
      await card(h, j.title).getByText('Stopped before it finished.').waitFor();
      assert.equal(await cancel.count(), 0);
      assert.match(await cardText(h, j.title), /Cancelled\W+Restore/);
    } finally {
      await h.close();
    }
  });

  it('a cancelled backup\'s card says Cancelled, never still "Backing up" (light and dark, 1280×800 and 800×600)', async () => {
    const j = job({ title: 'Back up ux-wp to ux-wp', progress: progress({ phase: 'backing-up', bytesDone: 10 * MiB, bytesTotal: 40 * MiB }) });
    for (const [colorScheme, width, height] of [['light', 1280, 800], ['dark', 800, 600], ['dark', 1280, 800], ['light', 800, 600]] as const) {
      const h = await harness.open({ view: 'activity' }, {
        context: { colorScheme, viewport: { width, height } },
        before: (p) => p.reply('jobs.list', { result: [j] }),
      });
      try {
        await bar(h, j.title).waitFor();
        await h.emit('job.updated', { ...j, state: 'cancelled', finishedAt: new Date().toISOString(), error: { code: 'CANCELLED', message: 'operation cancelled' } });
        await card(h, j.title).getByText('Stopped before it finished.').waitFor();
        const said = await cardText(h, j.title);
        assert.match(said, /Phase\W+Cancelled/i);
        assert.doesNotMatch(said, /Backing up/i);
        await h.screenshot(`component-activity-cancelled-${colorScheme}-${width}x${height}.png`);
      } finally {
        await h.close();
      }
    }
  });

  it('says when a job could not be cancelled', async () => {
    const j = job({ title: 'Verify pgdata', kind: 'verify', progress: null });
    const h = await harness.open({ view: 'activity' }, {
      before: async (p) => {
        await p.reply('jobs.list', { result: [j] });
        await p.reply('jobs.cancel', { error: { code: 'DISCONNECTED', message: 'the connection to the DVOM server was lost' } });
      },
    });
    try {
      const b = bar(h, j.title);
      await b.waitFor();
      assert.equal(await b.getAttribute('aria-valuenow'), null, 'no progress yet: an indeterminate bar');
      assert.match(await cardText(h, j.title), /Phase Starting/i);
      await h.page.getByRole('button', { name: `Cancel ${j.title}` }).click();
      const alert = card(h, j.title).getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /^Could not cancel: The connection to the DVOM server was lost\./);
      assert.equal(await h.page.getByRole('button', { name: `Cancel ${j.title}` }).isDisabled(), false, 'it can be tried again');
    } finally {
      await h.close();
    }
  });

  it('shows finished jobs with their result, and errors in full without stack traces', async () => {
    const longError = `backup 'pgdata' is damaged: ${Array.from({ length: 12 }, (_, i) => `pack ${String(i).padStart(2, '0')}${'ab'.repeat(20)} has a wrong hash`).join('; ')}`;
    const failed = job({
      title: 'Verify pgdata',
      kind: 'verify',
      state: 'failed',
      startedAt: '2025-01-02T03:04:05.000Z',
      finishedAt: '2025-01-02T03:06:10.000Z',
      progress: progress({ phase: 'verifying', bytesDone: 10 * MiB, bytesTotal: 40 * MiB }),
      error: { code: 'INTEGRITY', message: longError },
    });
    const done = job({
      title: 'Back up cache to cache',
      state: 'succeeded',
      startedAt: '2025-01-02T03:00:00.000Z',
      finishedAt: '2025-01-02T03:00:08.000Z',
      progress: progress({ phase: 'done', bytesDone: 5 * MiB, bytesTotal: 5 * MiB, bytesNew: 5 * MiB }),
      result: 'Version abc: 3 files, 5.00 MiB; 5.01 MiB stored (0% deduplicated)',
    });
    const h = await harness.open({ view: 'activity' }, { before: (p) => p.reply('jobs.list', { result: [done, failed] }) });
    try {
      await bar(h, failed.title).waitFor();
      const titles = await h.page.getByRole('list', { name: 'Jobs' }).getByRole('article').evaluateAll((els) => els.map((e) => e.querySelector('h3')?.textContent));
      assert.deepEqual(titles, [failed.title, done.title], 'newest first');
      assert.equal(await bar(h, failed.title).getAttribute('aria-valuenow'), '25', 'where it stopped');
      const t = await cardText(h, failed.title);
      assert.ok(t.includes(`Backup 'pgdata' is damaged: pack 00`), t);
      assert.ok(t.includes('pack 11' + 'ab'.repeat(20) + ' has a wrong hash.'), 'the whole message, to its end');
      assert.match(t, /Took 2 min 5 s/i);
      assert.equal(await bar(h, done.title).getAttribute('aria-valuenow'), '100');
      assert.match(await cardText(h, done.title), /Version abc: 3 files/);
      assert.match(await cardText(h, done.title), /Took 8 s/i);
      assert.doesNotMatch(t, /\bat .*:\d+:\d+/, 'no stack trace');
      const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
      assert.equal(overflow, false, 'long errors wrap');
      await h.screenshot('component-activity-history.png');
    } finally {
      await h.close();
    }
  });

  it('keeps events that arrive while the list is loading, and adds jobs started elsewhere', async () => {
    const j = job({ title: 'Back up pgdata to pgdata', progress: progress({ bytesDone: 4 * MiB }) });
    const h = await harness.open({ view: 'activity' }, { before: (p) => p.reply('jobs.list', { pending: true }) });
    try {
      await h.page.getByRole('status', { name: 'Loading activity…' }).waitFor();
      await h.emit('job.updated', { ...j, progress: progress({ bytesDone: 30 * MiB }) });
      await h.release('jobs.list', { result: [j] });
      await bar(h, j.title).waitFor();
      assert.equal(await bar(h, j.title).getAttribute('aria-valuenow'), '75', 'the newer event wins over the older list');

      const other = job({ title: 'Test restore of pgdata 2025-01-02', kind: 'test-restore', startedAt: new Date().toISOString(), progress: null });
      await h.emit('job.updated', other);
      await bar(h, other.title).waitFor();
      await h.page.getByRole('heading', { name: '2 running, 0 finished' }).waitFor();
      // A late "running" event never undoes a finished job.
      await h.emit('job.updated', { ...other, state: 'failed', finishedAt: new Date().toISOString(), error: { code: 'ERROR', message: 'no space left on the device holding the backups' } });
      await h.emit('job.updated', other);
      await card(h, other.title).getByText('No space left on the device holding the backups.').waitFor();
      assert.match(await cardText(h, other.title), /Failed/);
    } finally {
      await h.close();
    }
  });

  it('says which container a job stops and starts, and which volume it checks, then how long the containers were down', async () => {
    const j = job({ title: 'Back up ux-data to nightly', progress: progress({ phase: 'checking', subject: 'ux-data', bytesDone: 0, bytesTotal: undefined, filesDone: 0, filesTotal: undefined, bytesNew: undefined, rate: undefined, etaSeconds: undefined }) });
    for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const h = await harness.open({ view: 'activity' }, { context: { colorScheme, viewport }, before: (p) => p.reply('jobs.list', { result: [j] }) });
        try {
          await card(h, j.title).getByText('Checking the volume ux-data…').waitFor();
          await h.emit('job.updated', { ...j, progress: progress({ phase: 'stopping', subject: 'ux-db', bytesDone: 0, bytesTotal: undefined, filesDone: 0, filesTotal: undefined, bytesNew: undefined, rate: undefined, etaSeconds: undefined }) });
          await card(h, j.title).getByText('Stopping ux-db…').waitFor();
          await h.screenshot(`component-activity-stopping-${size}-${colorScheme}.png`);
          await h.emit('job.updated', { ...j, progress: progress({ phase: 'starting', subject: 'ux-db', bytesDone: 40 * MiB, bytesTotal: 40 * MiB }) });
          await card(h, j.title).getByText('Starting ux-db…').waitFor();
          await h.emit('job.updated', {
            ...j,
            state: 'succeeded',
            finishedAt: new Date().toISOString(),
            result: 'Version 2025-01-02-0304: 300 files, 40.0 MiB; 6.00 MiB stored (85% deduplicated)',
            progress: progress({ phase: 'done', bytesDone: 40 * MiB, bytesTotal: 40 * MiB }),
            containersDownMs: 12_400,
          });
          await card(h, j.title).getByText('Done', { exact: true }).waitFor();
          assert.match(await cardText(h, j.title), /Containers down\W+12 s/i);
          await h.screenshot(`component-activity-downtime-${size}-${colorScheme}.png`);
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      }
    }
  });

  it('is readable in dark mode and with a long title', async () => {
    const title = `Back up ${'a-very-long-volume-name-'.repeat(8)}end to ${'b'.repeat(100)}`;
    const h = await harness.open({ view: 'activity' }, {
      context: { colorScheme: 'dark', viewport: { width: 900, height: 600 } },
      before: (p) => p.reply('jobs.list', { result: [job({ title })] }),
    });
    try {
      await bar(h, title).waitFor();
      const overflow = await h.page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
      assert.equal(overflow, false, 'a long title wraps');
      await h.screenshot('component-activity-dark-long.png');
      const colors = await card(h, title).evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
      assert.notEqual(colors[0], 'rgb(255, 255, 255)', 'dark surface');
      assert.equal(await h.page.getByRole('button', { name: `Cancel ${title}` }).isVisible(), true);
    } finally {
      await h.close();
    }
  });
});
