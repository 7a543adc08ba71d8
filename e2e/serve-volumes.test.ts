/**
 * The Volumes page in Debian's Chromium, served by a real `dvom serve` server
 * (in this process) over a real Docker engine.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { docker, dockerSkipReason, useDockerFixture } from '../test/docker/docker-fixtures.ts';
import { chromiumSkipReason, launchChromium, requireBuiltRenderer, screenshotPath, startServer } from './browser.ts';
import { closeAll } from './lifecycle.ts';

const TITLE = 'the Volumes page in Chromium through dvom serve';
const skip = chromiumSkipReason() ?? (await dockerSkipReason());

if (skip) it(TITLE, { skip }, () => undefined);
else describe(TITLE, body);

function body() {
  const fx = useDockerFixture();
  let tmp = '';
  let browser: Browser;
  let served: Awaited<ReturnType<typeof startServer>>;
  let backedUp = '';
  let inUse = '';
  let runningContainer = '';
  let stoppedContainer = '';

  before(async () => {
    requireBuiltRenderer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-e2e-'));
    // No developer config (default target…) may apply to the server under test.
    process.env.DVOM_CONFIG = path.join(tmp, 'config.json');
    backedUp = await fx.volume('backed-up');
    inUse = await fx.volume('in-use');
    runningContainer = await fx.startContainer('web', inUse);
    stoppedContainer = await fx.createContainer('worker', inUse);
    await fx.runInVolume(backedUp, 'head -c 300000 /dev/urandom > /data/blob && echo hello > /data/hello.txt');
    await fx.dvomOk(['backup', `--volume=${backedUp}`, '--name=e2e-nightly'], { env: { DVOM_PASSWORD: undefined } });
    served = await startServer({ backupDir: fx.store });
    browser = await launchChromium();
  });

  after(() => closeAll({ browser, served, tmp }));

  async function openPage(url: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 720 }, colorScheme });
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }

  const rowOf = (page: Page, volume: string) =>
    page.getByRole('table', { name: 'Volumes' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: volume, exact: true }) });

  it('lists the engine’s volumes with their users and last backup', async () => {
    const page = await openPage(served.server.newLoginUrl());
    try {
      await rowOf(page, backedUp).waitFor();
      assert.ok(!page.url().includes('code'), `the one-time code must leave the address bar, got ${page.url()}`);

      const backedUpRow = (await rowOf(page, backedUp).innerText()).replace(/\s+/g, ' ');
      assert.match(backedUpRow, /local/);
      assert.match(backedUpRow, /Not in use/);
      assert.match(backedUpRow, /in e2e-nightly/);
      assert.match(backedUpRow, /just now|second|minute/);

      const inUseRow = (await rowOf(page, inUse).innerText()).replace(/\s+/g, ' ');
      assert.match(inUseRow, new RegExp(`${runningContainer} \\(running\\)`));
      assert.match(inUseRow, new RegExp(`${stoppedContainer} \\(stopped\\)`));
      assert.match(inUseRow, /Never/);

      await page.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Volumes' }).getAttribute('aria-current'), 'page');
      await page.screenshot({ path: await screenshotPath('volumes.png') });

      // A reload keeps working: the session is a cookie of this browser.
      await page.reload();
      await rowOf(page, inUse).waitFor();
    } finally {
      await page.context().close();
    }
  });

  it('looks right in dark mode', async () => {
    const page = await openPage(served.server.newLoginUrl(), 'dark');
    try {
      await rowOf(page, inUse).waitFor();
      await page.screenshot({ path: await screenshotPath('volumes-dark.png') });
    } finally {
      await page.context().close();
    }
  });

  it('Refresh shows a volume created after the page loaded', async () => {
    const page = await openPage(served.server.newLoginUrl());
    try {
      await rowOf(page, inUse).waitFor();
      const late = await fx.volume('late');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await rowOf(page, late).waitFor();
      await docker('volume', 'rm', late);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await rowOf(page, late).waitFor({ state: 'detached' });
    } finally {
      await page.context().close();
    }
  });

  it('a login link works once: opened again in another browser, it gets no session; the page says how to get one and offers Retry', async () => {
    const link = served.server.newLoginUrl();
    const first = await openPage(link);
    try {
      await rowOf(first, inUse).waitFor();
    } finally {
      await first.context().close();
    }
    for (const url of [link, `${served.server.origin}/`, `${served.server.origin}/?code=not-the-code`]) {
      const page = await openPage(url);
      try {
        assert.ok(!page.url().includes('code'), `the code left the address bar: ${page.url()}`);
        const alert = page.getByRole('alert', { name: 'Cannot list volumes' });
        await alert.waitFor();
        const text = await alert.innerText();
        assert.match(text, /Cannot connect to the DVOM server/);
        assert.match(text, /link dvom serve prints logs one browser in, once/);
        assert.doesNotMatch(text, /\bat .*:\d+:\d+/, 'no stack trace');
        if (url === link) {
          await page.screenshot({ path: await screenshotPath('connection-refused.png') });
          await alert.getByRole('button', { name: 'Retry' }).click();
          await alert.getByRole('button', { name: 'Retry' }).waitFor();
          assert.match(await alert.innerText(), /Cannot connect to the DVOM server/);
        }
      } finally {
        await page.context().close();
      }
    }
  });

  it('lists the volumes when the store cannot be opened, each saying its last backup there is unknown, and why in words', async () => {
    const broken = await startServer({ target: 'no-such-target' });
    const page = await openPage(broken.server.newLoginUrl());
    try {
      const unknown = page.getByText('Unknown on no-such-target').first();
      await unknown.waitFor();
      const text = (await unknown.getAttribute('title')) ?? '';
      assert.match(text, /no-such-target could not be read: no storage target named 'no-such-target'/);
      assert.doesNotMatch(text, /\bat .*:\d+:\d+/, 'no stack trace');
      await page.screenshot({ path: await screenshotPath('volumes-error.png') });
    } finally {
      await page.context().close();
      await broken.stop();
    }
  });
}
