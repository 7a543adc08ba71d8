/**
 * A lost server is noticed and the page comes back by itself (issue 14, item
 * 5), in Chromium against `dvom serve` as its own process: the page and the
 * open backup are in the address (a reload and Back keep them); the server is
 * killed, the page shows the connection banner; a backup is added meanwhile;
 * the server is started again on the same port and the page reconnects with
 * no new login link and lists the new backup.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as http from 'node:http';
import type { Browser, Page } from 'playwright-core';
import WS, { WebSocketServer } from 'ws';
import { ApiClient } from '../src/shared/api/client.ts';
import { WebSocketTransport } from '../src/shared/api/ws-transport.ts';
import { collect, dvomEnv, removeAll, runOk, servedLinks, spawnDvom, tempDir, type RunResult } from '../test/cli/run-dvom.ts';
import { assertReadable } from '../test/renderer-harness/contrast.ts';
import { chromiumSkipReason, launchChromium, requireBuiltRenderer, screenshotPath } from './browser.ts';

const TITLE = 'the page survives a restart of dvom serve: banner, reconnect on the same port, fresh data; the address keeps the page';
const skip = chromiumSkipReason();

if (skip) it(TITLE, { skip }, () => undefined);
else describe(TITLE, body);

interface Served {
  child: ChildProcess;
  /** Every http:// line it printed (login links). */
  links: string[];
  stderr: () => string;
  exited: Promise<RunResult>;
}

function body() {
  let work = '';
  let store = '';
  let browser: Browser | undefined;
  let served: Served | undefined;

  /** `dvom serve` as its own process; resolves once it printed its first link. */
  async function serve(port: number): Promise<Served> {
    const child = spawnDvom(['serve', `--port=${port}`], { store });
    const exited = collect(child, 600_000);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const { links, first } = servedLinks(child, exited);
    await first;
    return { child, links, stderr: () => stderr, exited };
  }

  async function kill(s: Served): Promise<void> {
    s.child.kill('SIGKILL');
    await s.exited;
  }

  /** Listens on `port` like a server would, until the page connects: what the page sent it (the socket is then dropped). */
  async function impostor(port: number): Promise<{ cookie: string; hello: unknown }> {
    const server = http.createServer((_req, res) => res.writeHead(200).end());
    const wss = new WebSocketServer({ server });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    try {
      return await new Promise((resolve) => {
        wss.on('connection', (socket, req) => {
          socket.once('message', (data) => {
            resolve({ cookie: req.headers.cookie ?? '', hello: JSON.parse(String(data)) as unknown });
            socket.terminate();
          });
        });
      });
    } finally {
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  const backupRow = (page: Page, name: string) => page.getByRole('table', { name: 'Backups' }).getByRole('button', { name, exact: true });

  before(async () => {
    requireBuiltRenderer();
    work = await tempDir('reconnect');
    store = path.join(work, 'store');
    const data = path.join(work, 'data');
    await fs.mkdir(data);
    await fs.writeFile(path.join(data, 'a.txt'), 'alpha\n');
    await runOk(['backup', `--path=${data}`, '--name=alpha'], { store });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (served) await kill(served);
    await removeAll(work);
  });

  it('keeps the page in the address, shows the banner when the server goes, reconnects by itself when it is back', async () => {
    served = await serve(0);
    const port = Number(new URL(served.links[0]!).port);
    const context = await browser!.newContext({ viewport: { width: 800, height: 600 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(served.links[0]!);
    await page.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/volumes');
    assert.equal(new URL(page.url()).search, '', 'the login code left the address');

    // The page and the open backup are in the address: a reload and Back keep them.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: 'Backups' }).click();
    await backupRow(page, 'alpha').click();
    await page.getByRole('table', { name: 'Versions of alpha' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/backups/alpha');
    await page.reload();
    await page.getByRole('table', { name: 'Versions of alpha' }).waitFor();
    assert.equal(await nav.getByRole('button', { name: 'Backups' }).getAttribute('aria-current'), 'page');
    await nav.getByRole('button', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/activity');
    await page.goBack();
    await page.getByRole('table', { name: 'Versions of alpha' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/backups/alpha');
    await page.goForward();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    await page.goBack();
    await page.getByRole('table', { name: 'Versions of alpha' }).waitFor();

    // The server dies: the banner says so (and that the page is trying again).
    await kill(served);
    served = undefined;
    const banner = page.getByRole('alert', { name: 'Connection to DVOM lost' });
    await banner.waitFor();
    assert.match(await banner.innerText(), /may be out of date/);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: await screenshotPath(`reconnect-banner-800x600-${colorScheme}.png`) });
      await assertReadable({ [`the banner's title (${colorScheme})`]: banner.locator('strong'), [`the banner's text (${colorScheme})`]: banner.locator('span').first() });
    }
    await page.emulateMedia({ colorScheme: 'light' });
    const bannerBox = await banner.boundingBox();
    assert.ok(bannerBox && bannerBox.y >= 0 && bannerBox.y + bannerBox.height <= 600, 'the banner is in view');

    // Another program takes the port meanwhile (another user could): the page's reconnect hands it the
    // session cookie, as browsers send cookies to every port, but never the tab's key.
    const heard = await impostor(port);
    const cookie = heard.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith(`dvom_session_${port}=`))!;
    assert.ok(cookie, 'the impostor got the session cookie');
    assert.deepEqual(heard.hello, { type: 'hello' }, 'and a hello without the key');

    // Meanwhile a new backup appears; the server comes back on the same port.
    const data = path.join(work, 'data');
    await runOk(['backup', `--path=${data}`, '--name=beta'], { store });
    served = await serve(port);
    // What the impostor took is no use against the real server.
    const stolen = new WebSocketTransport(`ws://127.0.0.1:${port}/api`, (u) => new WS(u, { origin: `http://127.0.0.1:${port}`, headers: { cookie } }) as unknown as WebSocket);
    await assert.rejects(new ApiClient(stolen).call('backups.list', {}), (err: { code?: string }) => err.code === 'DISCONNECTED');
    assert.equal(Number(new URL(served.links[0]!).port), port, served.stderr());
    assert.doesNotMatch(served.stderr(), /is in use/);

    // No new link is opened: the page reconnects with its cookie and reloads what it shows.
    await banner.waitFor({ state: 'detached', timeout: 60_000 });
    await backupRow(page, 'beta').waitFor();
    await page.getByRole('table', { name: 'Versions of alpha' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/backups/alpha');
    assert.equal(new URL(page.url()).search, '');
    await page.screenshot({ path: await screenshotPath('reconnect-after-800x600-light.png') });

    // A server that forgot the session (its file removed): the banner says this tab is not logged in;
    // a login link opened in another tab logs the browser in, and this tab reconnects by itself.
    await kill(served);
    served = undefined;
    await banner.waitFor();
    await fs.rm(path.join(path.dirname(dvomEnv({ store }).DVOM_CONFIG!), `serve-sessions-${port}.json`));
    served = await serve(port);
    const refused = page.getByRole('alert', { name: 'This tab is not logged in to DVOM' });
    await refused.waitFor({ timeout: 60_000 });
    assert.match(await refused.innerText(), /Open a new login link/);
    await page.screenshot({ path: await screenshotPath('reconnect-refused-800x600-light.png') });
    const other = await context.newPage();
    await other.goto(served.links[0]!);
    await other.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
    await other.close();
    await refused.waitFor({ state: 'detached', timeout: 60_000 });
    await page.getByRole('table', { name: 'Versions of alpha' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });
}
