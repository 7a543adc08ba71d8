/* eslint-disable no-restricted-imports -- this file is a Node test: it builds the page with Vite and drives it in Chromium. */
/**
 * Component tests of the Settings page: the harness page (see
 * test/renderer-harness/harness.ts) mounts it in the app's shell, in Debian's
 * Chromium through playwright-core, over the FakeApi that runs here in Node,
 * with the target methods kept in memory like the real handlers. The fake
 * decides every answer (and when it comes), so edge states are easy:
 * loading, no targets, failures in words, long names.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ApiError } from '../../../shared/api/client.ts';
import type { ApiMethod, ParamsOf, ResultOf } from '../../../shared/api/contract.ts';
import type { AppInfo, TargetDto } from '../../../shared/api/dto.ts';
import { FakeApi } from '../../../../test/renderer-harness/fake-api.ts';
import { harnessSkipReason, startHarness, type Harness } from '../../../../test/renderer-harness/harness.ts';
import { assertReadable } from '../../../../test/renderer-harness/contrast.ts';
import { description as descriptionOf } from '../../../../test/renderer-harness/fields.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..', '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

// ------------------------------------------------------------ the fake engine

type Handler<M extends ApiMethod> = (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;
type Handlers = { [M in ApiMethod]?: Handler<M> };

const INFO: AppInfo = {
  version: '0.1.0',
  storeLocation: '/home/ada/.local/share/dvom/store',
  dockerHost: 'unix:///var/run/docker.sock',
  engine: { name: 'default', host: 'unix:///var/run/docker.sock', source: 'built-in' },
  keychain: 'Secret Service (test)',
};

const localTarget = (name: string, p: string, isDefault = false): TargetDto => ({
  name,
  type: 'local',
  location: p,
  isDefault,
  settings: { path: p },
});

const s3Target = (name: string, isDefault = false): TargetDto => ({
  name,
  type: 's3',
  location: `s3://backups/dvom/ at https://s3.example.com`,
  isDefault,
  settings: { bucket: 'backups', prefix: 'dvom/', endpoint: 'https://s3.example.com', region: 'eu-west-1', pathStyle: true, accessKeyId: 'AKIAEXAMPLE', hasSecret: true },
});

/** Never answers: the page stays in its loading state. */
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/**
 * An engine that keeps targets in memory like the real handlers, behind the
 * one FakeApi (`fake`); tests override single methods in `handlers`.
 */
class TargetsEngine {
  readonly fake = new FakeApi({});
  targets: TargetDto[];
  info: AppInfo = { ...INFO };
  handlers: Handlers;

  constructor(targets: TargetDto[] = [], overrides: Handlers = {}) {
    this.targets = targets;
    this.handlers = { ...this.defaults(), ...overrides };
    for (const method of ['app.info', 'targets.list', 'targets.save', 'targets.remove', 'targets.test', 'engines.list'] as const) {
      // Looked up at each call: a test may replace a handler after the page opened.
      this.fake.reply(method, { handle: (params: never) => (this.handlers[method] as (p: unknown) => never)(params) });
    }
    // Remembered passwords are looked up through the backups of each store: none here.
    this.fake.reply('backups.list', { result: [] });
  }

  callsOf<M extends ApiMethod>(method: M): ParamsOf<M>[] {
    return this.fake.callsOf(method);
  }

  private defaults(): Handlers {
    return {
      'app.info': () => this.info,
      'engines.list': () => [{ name: 'default', host: 'unix:///var/run/docker.sock', current: true }],
      'targets.list': () => structuredClone(this.targets),
      'targets.save': ({ name, target, makeDefault }) => {
        const existing = this.targets.find((t) => t.name === name);
        const isDefault = !!makeDefault || !!existing?.isDefault;
        if (makeDefault) for (const t of this.targets) t.isDefault = false;
        const saved: TargetDto =
          target.type === 'local'
            ? localTarget(name, target.path, isDefault)
            : {
                name,
                type: 's3',
                location: `s3://${target.bucket}/${target.prefix ?? ''}${target.endpoint ? ` at ${target.endpoint}` : ''}`,
                isDefault,
                settings: {
                  bucket: target.bucket,
                  ...(target.prefix ? { prefix: target.prefix } : {}),
                  ...(target.endpoint ? { endpoint: target.endpoint } : {}),
                  ...(target.region ? { region: target.region } : {}),
                  ...(target.pathStyle !== undefined ? { pathStyle: target.pathStyle } : {}),
                  ...(target.accessKeyId ? { accessKeyId: target.accessKeyId, hasSecret: true } : {}),
                },
              };
        this.targets = [...this.targets.filter((t) => t.name !== name), saved];
        return saved;
      },
      'targets.remove': ({ name }) => {
        if (!this.targets.some((t) => t.name === name)) throw new ApiError({ code: 'NOT_FOUND', message: `no storage target named '${name}'` });
        this.targets = this.targets.filter((t) => t.name !== name);
        return { removed: true };
      },
      'targets.test': ({ name, target }) => {
        // Settings about to be saved: tested as given.
        if (target) return { location: target.type === 's3' ? `s3://${target.bucket}/${target.prefix ?? ''}` : target.path };
        const t = this.targets.find((x) => x.name === name);
        if (!t) throw new ApiError({ code: 'NOT_FOUND', message: `no storage target named '${name}'` });
        return { location: t.type === 's3' ? `s3://${t.settings.bucket}/${t.settings.prefix ?? ''}` : t.location };
      },
    };
  }
}

// ------------------------------------------------------------ harness

const skip = harnessSkipReason();
if (skip) it('the Settings page (component tests in Chromium)', { skip }, () => undefined);
else describe('the Settings page (component tests in Chromium)', body);

function body() {
  let harness: Harness;

  before(async () => {
    harness = await startHarness();
  });

  after(async () => {
    await harness?.close();
  });

  interface OpenOptions {
    colorScheme?: 'light' | 'dark';
    width?: number;
    height?: number;
  }

  /** A fresh page (own storage) with the Settings page, over `api`. */
  async function open(api: TargetsEngine, options: OpenOptions = {}): Promise<Page> {
    const { page, errors } = await harness.open(
      { view: 'settings' },
      {
        fake: api.fake,
        context: { viewport: { width: options.width ?? 1200, height: options.height ?? 800 }, colorScheme: options.colorScheme ?? 'light' },
      },
    );
    page.on('close', () => assert.deepEqual(errors, [], 'no uncaught errors in the page'));
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    return page;
  }

  async function withPage(api: TargetsEngine, run: (page: Page) => Promise<void>, options?: OpenOptions): Promise<void> {
    const page = await open(api, options);
    try {
      await run(page);
    } finally {
      await page.context().close();
    }
  }

  /** The whole page: the shell scrolls inside .content, so the window is made as tall as the page for the shot. */
  async function screenshot(page: Page, name: string): Promise<void> {
    await fs.mkdir(RESULTS_DIR, { recursive: true });
    const viewport = page.viewportSize()!;
    const height = await page.evaluate(() => {
      const content = document.querySelector('.content')!;
      return content.scrollHeight + content.getBoundingClientRect().top;
    });
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.ceil(height)) });
    await page.screenshot({ path: path.join(RESULTS_DIR, name) });
    await page.setViewportSize(viewport);
  }

  const card = (page: Page, name: string) => page.getByRole('article', { name, exact: true });
  const dialog = (page: Page, name: string | RegExp) => page.getByRole('dialog', { name });
  const text = async (locator: ReturnType<Page['locator']>) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

  it('shows calm loading placeholders while the engine has not answered', async () => {
    const api = new TargetsEngine([], { 'app.info': () => never(), 'targets.list': () => never() });
    await withPage(api, async (page) => {
      await page.getByRole('status').filter({ hasText: 'Loading storage targets…' }).waitFor();
      assert.match(await text(page.getByRole('region', { name: 'Docker engine' })), /Loading…/);
      assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0, 'no error while loading');
      // The page can already be used: the theme and the add form do not wait for the engine.
      await page.getByRole('radio', { name: 'Dark' }).check();
      await screenshot(page, 'settings-component-loading.png');
    });
  });

  it('with no targets, shows the store in use and explains what a target is for', async () => {
    const api = new TargetsEngine([]);
    await withPage(api, async (page) => {
      const empty = page.getByRole('status').filter({ has: page.getByRole('heading', { name: 'No storage targets yet' }) });
      await empty.waitFor();
      assert.match(await text(empty), /local store/);
      const targets = page.getByRole('region', { name: 'Storage targets' });
      assert.match(await text(targets), new RegExp(`Store in use ${INFO.storeLocation}`));
      assert.match(await text(page.getByRole('region', { name: 'Docker engine' })), new RegExp(`In use: default ${INFO.dockerHost}`));
      const about = page.getByRole('region', { name: 'About DVOM' });
      assert.match(await text(about), /Version 0\.1\.0/);
      assert.match(await text(about), /Keychain Secret Service \(test\)/);
      await screenshot(page, 'settings-component-empty.png');
    });
  });

  it('lists targets with the default marked, and the Docker engine in use', async () => {
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom', true), s3Target('offsite')]);
    await withPage(api, async (page) => {
      await card(page, 'nas').waitFor();
      const list = page.getByRole('list', { name: 'Storage targets' });
      assert.deepEqual(await list.getByRole('heading', { level: 3 }).allInnerTexts(), ['nas', 'offsite']);
      assert.match(await text(card(page, 'nas')), /Default/);
      assert.doesNotMatch(await text(card(page, 'offsite')), /Default/);
      assert.match(await text(card(page, 'offsite')), /s3:\/\/backups\/dvom\/ at https:\/\/s3\.example\.com/);
      assert.equal(await card(page, 'nas').getByRole('button', { name: 'Make default' }).isDisabled(), true);
      // The page's CSS holds up against styles.css, which loads after it in the app.
      assert.equal(await card(page, 'nas').getByRole('button', { name: 'Remove' }).evaluate((el) => getComputedStyle(el).color), 'rgb(179, 38, 30)');
      // The engine switcher has its own tests (EngineSection.test.ts).
      assert.match(await text(page.getByRole('region', { name: 'Docker engine' })), /In use: default/);
      await screenshot(page, 'settings-component-light.png');
    });
  });

  it('says in words when the targets cannot be listed, and Retry recovers', async () => {
    let fail = true;
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom')]);
    const list = api.handlers['targets.list']!;
    api.handlers['targets.list'] = (p) => {
      if (fail) throw new ApiError({ code: 'USAGE', message: 'config file /home/ada/.config/dvom/config.json is not valid JSON: Unexpected token' });
      return list(p);
    };
    await withPage(api, async (page) => {
      const alert = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Cannot list the storage targets' }) });
      await alert.waitFor();
      assert.match(await text(alert), /Config file \/home\/ada\/\.config\/dvom\/config\.json is not valid JSON: Unexpected token\./);
      assert.doesNotMatch(await text(alert), /\bat .*:\d+:\d+/, 'no stack trace');
      fail = false;
      await alert.getByRole('button', { name: 'Retry' }).click();
      await card(page, 'nas').waitFor();
      assert.equal(await alert.count(), 0);
    });
  });

  it('when app.info fails, says so once and still lists and edits the targets', async () => {
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom')], {
      'app.info': () => {
        throw new ApiError({ code: 'USAGE', message: "no storage target named 'gone' (see: dvom target list)" });
      },
    });
    await withPage(api, async (page) => {
      const banner = page.getByRole('alert').filter({ hasText: 'Cannot read DVOM’s details' });
      await banner.waitFor();
      assert.match(await text(banner), /No storage target named 'gone'/);
      await card(page, 'nas').waitFor();
      assert.match(await text(page.getByRole('region', { name: 'Docker engine' })), /In use: unknown\./);
      assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 1, 'the error is shown once');
    });
  });

  it('Test connection shows the location on success and the error in words on failure, without moving the list', async () => {
    let answer: (() => void) | undefined;
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom'), s3Target('offsite'), localTarget('usb', '/media/usb')], {
      'targets.test': async ({ name }) => {
        if (name === 'nas') {
          await new Promise<void>((resolve) => (answer = resolve));
          return { location: '/mnt/nas/dvom' };
        }
        if (name === 'usb') throw new ApiError({ code: 'ERROR', message: "EACCES: permission denied, mkdir '/media/usb/probes'" });
        throw new ApiError({ code: 'NOT_FOUND', message: 'bucket of s3://backups/dvom/ does not exist at https://s3.example.com; create it first' });
      },
    });
    await withPage(api, async (page) => {
      const nas = card(page, 'nas');
      await nas.waitFor();
      const before = await nas.boundingBox();
      const usbBefore = await card(page, 'usb').boundingBox();

      await nas.getByRole('button', { name: 'Test connection' }).click();
      await nas.getByRole('status').filter({ hasText: 'Testing the connection…' }).waitFor();
      assert.equal(await nas.getByRole('button', { name: 'Test connection' }).isDisabled(), true);
      answer!();
      await nas.getByRole('status').filter({ hasText: 'Connection works' }).waitFor();
      assert.match(await text(nas.getByRole('status')), /Connection works: .* in \/mnt\/nas\/dvom\./);

      const offsite = card(page, 'offsite');
      await offsite.getByRole('button', { name: 'Test connection' }).click();
      await offsite.getByRole('status').filter({ hasText: 'Connection failed' }).waitFor();
      assert.match(await text(offsite.getByRole('status')), /Connection failed\. Bucket of s3:\/\/backups\/dvom\/ does not exist at https:\/\/s3\.example\.com; create it first\./);

      const usb = card(page, 'usb');
      await usb.getByRole('button', { name: 'Test connection' }).click();
      await usb.getByRole('status').filter({ hasText: 'permission denied' }).waitFor();

      const afterBox = await nas.boundingBox();
      assert.equal(afterBox?.height, before?.height, 'a one-line result keeps the card’s height');
      assert.ok(Math.abs((await card(page, 'usb').boundingBox())!.y - usbBefore!.y) < 1, 'the cards below did not move');
      assert.deepEqual(api.callsOf('targets.test'), [{ name: 'nas' }, { name: 'offsite' }, { name: 'usb' }]);
      await screenshot(page, 'settings-component-test-results.png');
    });
  });

  it('wraps long names, locations and errors without overflowing', async () => {
    const longName = 'a-very-long-target-name-that-uses-all-sixty-four-allowed-chars0';
    const longPath = `/mnt/${'deeply-nested-folder/'.repeat(18)}dvom`;
    const api = new TargetsEngine([localTarget(longName, longPath, true), s3Target('offsite')], {
      'targets.test': () => {
        throw new ApiError({ code: 'ERROR', message: `cannot reach the S3 endpoint at https://${'very-long-host-name.'.repeat(8)}example.com (ENOTFOUND) while trying to store probes/0123456789abcdef` });
      },
    });
    api.info.storeLocation = `/home/someone-with-a-long-name/${'x'.repeat(180)}/store`;
    await withPage(
      api,
      async (page) => {
        await card(page, longName).waitFor();
        await card(page, 'offsite').getByRole('button', { name: 'Test connection' }).click();
        await card(page, 'offsite').getByRole('status').filter({ hasText: 'ENOTFOUND' }).waitFor();
        const overflow = await page.evaluate(() => {
          const wide: string[] = [];
          const content = document.querySelector('.content')!;
          if (content.scrollWidth > content.clientWidth) wide.push(`content ${content.scrollWidth} > ${content.clientWidth}`);
          for (const el of document.querySelectorAll('.settings-section, .settings-target-card, .settings-fact dd')) {
            if (el.scrollWidth > el.clientWidth + 1) wide.push(`${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
          }
          return wide;
        });
        assert.deepEqual(overflow, [], 'nothing is wider than its box');
        await screenshot(page, 'settings-component-long.png');

        await card(page, longName).getByRole('button', { name: 'Remove' }).click();
        const confirm = dialog(page, `Remove ${longName}?`);
        await confirm.waitFor();
        const box = (await confirm.boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= 1000, 'the dialog fits the window');
        await confirm.getByRole('button', { name: 'Cancel' }).click();
      },
      { width: 1000 },
    );
  });

  it('adds a local folder: inline errors in words, keyboard only, then saves and returns the focus', async () => {
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom')]);
    await withPage(api, async (page) => {
      await card(page, 'nas').waitFor();
      const add = page.getByRole('button', { name: 'Add target' });
      await add.focus();
      await page.keyboard.press('Enter');
      const form = dialog(page, 'Add a storage target');
      await form.waitFor();
      const name = form.getByRole('textbox', { name: 'Name' });
      assert.ok(await name.evaluate((el) => el === document.activeElement), 'the name field has the focus');
      assert.equal(await form.getByRole('radio', { name: 'Local folder' }).isChecked(), true);

      // Save with nothing filled in: errors in words, the focus on the first one, nothing saved.
      const heightBefore = (await form.boundingBox())!.height;
      await form.getByRole('button', { name: 'Add target' }).click();
      const folder = form.getByRole('textbox', { name: 'Folder' });
      assert.equal(await name.getAttribute('aria-invalid'), 'true');
      assert.equal(await folder.getAttribute('aria-invalid'), 'true');
      assert.match(await descriptionOf(name), /Enter a name for the target\./);
      assert.match(await descriptionOf(folder), /Enter the folder where backups go\./);
      assert.ok(await name.evaluate((el) => el === document.activeElement), 'the focus went to the first error');
      assert.equal((await form.boundingBox())!.height, heightBefore, 'errors take the hints’ place: the form does not grow');
      await page.screenshot({ path: path.join(RESULTS_DIR, 'settings-component-dialog-light.png') });

      await page.keyboard.type('nas');
      assert.match(await descriptionOf(name), /A target named “nas” already exists/);
      await name.fill('bad name!');
      assert.match(await descriptionOf(name), /Use up to 64 letters, digits/);
      await name.fill('usb-disk');
      assert.equal(await name.getAttribute('aria-invalid'), null);
      await page.keyboard.press('Tab'); // to the type radios
      await page.keyboard.press('Tab'); // to the folder
      await page.keyboard.type('backups');
      assert.match(await descriptionOf(folder), /full path of the folder/);
      await folder.fill('/media/usb/dvom');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space'); // Make default
      assert.equal(await form.getByRole('checkbox', { name: 'Make default' }).isChecked(), true);
      await page.keyboard.press('Enter');

      await form.waitFor({ state: 'detached' });
      assert.deepEqual(api.callsOf('targets.save'), [{ name: 'usb-disk', target: { type: 'local', path: '/media/usb/dvom' }, makeDefault: true }]);
      await card(page, 'usb-disk').waitFor();
      assert.match(await text(card(page, 'usb-disk')), /Default/);
      assert.doesNotMatch(await text(card(page, 'nas')), /Default/);
      await page.getByRole('status').filter({ hasText: 'Added usb-disk.' }).waitFor();
      assert.ok(await add.evaluate((el) => el === document.activeElement), 'the focus is back on Add target');

      // Escape closes without saving, the focus goes back again.
      await page.keyboard.press('Enter');
      await form.waitFor();
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'detached' });
      assert.ok(await add.evaluate((el) => el === document.activeElement));
      assert.equal(api.callsOf('targets.save').length, 1);
    });
  });

  it('adds an S3 target: checks the fields, keeps the secret key out of the page, explains the keychain', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const api = new TargetsEngine([]);
    await withPage(api, async (page) => {
      await page.getByRole('button', { name: 'Add target' }).click();
      const form = dialog(page, 'Add a storage target');
      await form.getByRole('radio', { name: 'S3 bucket' }).check();
      const secretField = form.getByLabel('Secret key');
      assert.equal(await secretField.getAttribute('type'), 'password');
      assert.match(await descriptionOf(secretField), /Kept in the keychain \(Secret Service \(test\)\), never in the config file\./);
      const pathStyle = form.getByRole('checkbox', { name: 'Path-style addressing' });
      assert.equal(await pathStyle.isChecked(), false, 'Amazon S3 (no endpoint): virtual-hosted style');

      await form.getByRole('textbox', { name: 'Name' }).fill('offsite');
      await form.getByRole('textbox', { name: 'Endpoint' }).fill('s3.example.com');
      await form.getByRole('textbox', { name: 'Bucket' }).fill('My_Bucket');
      await form.getByRole('textbox', { name: 'Prefix' }).fill('dvom backups');
      await secretField.fill(secret);
      await form.getByRole('button', { name: 'Add target' }).click();
      assert.match(await descriptionOf(form.getByRole('textbox', { name: 'Endpoint' })), /starting with https:\/\/ or http:\/\//);
      assert.match(await descriptionOf(form.getByRole('textbox', { name: 'Bucket' })), /lower-case letters/);
      assert.match(await descriptionOf(form.getByRole('textbox', { name: 'Prefix' })), /Use only letters, digits/);
      assert.match(await descriptionOf(form.getByRole('textbox', { name: 'Access key' })), /Enter the access key that goes with the secret key\./);
      assert.equal(api.callsOf('targets.save').length, 0);

      await form.getByRole('textbox', { name: 'Endpoint' }).fill('https://s3.example.com');
      assert.equal(await pathStyle.isChecked(), true, 'with an endpoint: path-style, as the engine does');
      await form.getByRole('textbox', { name: 'Region' }).fill('eu-west-1');
      await form.getByRole('textbox', { name: 'Bucket' }).fill('my-bucket');
      await form.getByRole('textbox', { name: 'Prefix' }).fill('dvom/');
      await form.getByRole('textbox', { name: 'Access key' }).fill('AKIAEXAMPLE');
      assert.ok(!(await page.content()).includes(secret), 'the secret key is not in the page’s markup');
      await form.getByRole('button', { name: 'Add target' }).click();
      await form.waitFor({ state: 'detached' });

      assert.deepEqual(api.callsOf('targets.save'), [
        {
          name: 'offsite',
          target: { type: 's3', bucket: 'my-bucket', prefix: 'dvom/', endpoint: 'https://s3.example.com', region: 'eu-west-1', pathStyle: true, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret },
          makeDefault: false,
        },
      ]);
      await card(page, 'offsite').waitFor();
      assert.ok(!(await page.content()).includes(secret), 'nor after saving');
    });
  });

  it('edits an S3 target: an empty secret key keeps the stored one; a new access key needs its secret', async () => {
    const api = new TargetsEngine([s3Target('offsite', true)]);
    await withPage(api, async (page) => {
      await card(page, 'offsite').getByRole('button', { name: 'Edit' }).click();
      const form = dialog(page, 'Edit offsite');
      await form.waitFor();
      assert.equal(await form.getByRole('textbox', { name: 'Name' }).getAttribute('readonly'), '');
      assert.equal(await form.getByRole('radio', { name: 'S3 bucket' }).isChecked(), true);
      assert.equal(await form.getByRole('textbox', { name: 'Bucket' }).inputValue(), 'backups');
      assert.equal(await form.getByRole('textbox', { name: 'Access key' }).inputValue(), 'AKIAEXAMPLE');
      const secretField = form.getByLabel('Secret key');
      assert.equal(await secretField.inputValue(), '');
      assert.match(await descriptionOf(secretField), /A secret key is stored in the keychain .*Leave empty to keep it/);
      assert.equal(await form.getByRole('checkbox', { name: 'Make default' }).isDisabled(), true);

      await form.getByRole('textbox', { name: 'Access key' }).fill('AKIANEW');
      await form.getByRole('button', { name: 'Save changes' }).click();
      assert.match(await descriptionOf(secretField), /Enter the secret key that goes with the new access key\./);
      await form.getByRole('textbox', { name: 'Access key' }).fill('AKIAEXAMPLE');
      assert.equal(await secretField.getAttribute('aria-invalid'), null);
      await form.getByRole('textbox', { name: 'Region' }).fill('eu-central-1');
      await form.getByRole('button', { name: 'Save changes' }).click();
      await form.waitFor({ state: 'detached' });

      const [saved] = api.callsOf('targets.save');
      assert.deepEqual(saved, {
        name: 'offsite',
        target: { type: 's3', bucket: 'backups', prefix: 'dvom/', endpoint: 'https://s3.example.com', region: 'eu-central-1', pathStyle: true, accessKeyId: 'AKIAEXAMPLE' },
        makeDefault: false,
      });
      await page.getByRole('status').filter({ hasText: 'Saved offsite.' }).waitFor();
    });
  });

  it('tests the connection when saving: a failure is shown and saving then takes an explicit Save anyway; the card shows the outcome', async () => {
    const sizes = [
      { width: 1280, height: 800 },
      { width: 800, height: 600 },
    ];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const size of sizes) {
        let reachable = false;
        const api = new TargetsEngine([], {
          'targets.test': ({ target }) => {
            if (!target || target.type !== 'local') throw new ApiError({ code: 'NOT_FOUND', message: 'unexpected test' });
            if (!reachable) throw new ApiError({ code: 'ERROR', message: `cannot write to ${target.path}: permission denied` });
            return { location: target.path };
          },
        });
        await withPage(
          api,
          async (page) => {
            await page.getByRole('button', { name: 'Add target' }).click();
            const form = dialog(page, 'Add a storage target');
            await form.getByRole('textbox', { name: 'Name' }).fill('nas');
            await form.getByRole('textbox', { name: 'Folder' }).fill('/mnt/nas');
            await form.getByRole('button', { name: 'Add target' }).click();
            await form.getByRole('alert').filter({ hasText: 'The connection test failed: Cannot write to /mnt/nas: permission denied. Correct the settings, or save anyway.' }).waitFor();
            assert.equal(api.callsOf('targets.save').length, 0, 'a failed test saves nothing');
            assert.deepEqual(api.callsOf('targets.test'), [{ name: 'nas', target: { type: 'local', path: '/mnt/nas' } }]);
            await page.screenshot({ path: `${process.env.DVOM_SHOTS_DIR ?? RESULTS_DIR}/settings-target-test-failed-${size.width}-${colorScheme}.png` });

            // Test again (still failing), then a changed field tests again on Save: it passes and saves.
            await form.getByRole('button', { name: 'Test again' }).click();
            await api.fake.callsPass('targets.test', (c) => c.length === 2);
            await form.getByRole('button', { name: 'Save anyway' }).waitFor();
            if (size.width === 1280) {
              // Saved anyway, explicitly: the card says the test failed.
              await form.getByRole('button', { name: 'Save anyway' }).click();
              await form.waitFor({ state: 'detached' });
              assert.equal(api.callsOf('targets.test').length, 2, 'Save anyway does not test again');
              assert.deepEqual(api.callsOf('targets.save'), [{ name: 'nas', target: { type: 'local', path: '/mnt/nas' }, makeDefault: false }]);
              assert.match(await text(card(page, 'nas')), /Connection failed\. Cannot write to \/mnt\/nas: permission denied\./);
            } else {
              reachable = true;
              await form.getByRole('textbox', { name: 'Folder' }).fill('/mnt/nas/dvom');
              await form.getByRole('button', { name: 'Add target' }).click();
              await form.waitFor({ state: 'detached' });
              assert.deepEqual(api.callsOf('targets.save'), [{ name: 'nas', target: { type: 'local', path: '/mnt/nas/dvom' }, makeDefault: false }]);
              assert.match(await text(card(page, 'nas')), /Connection works: .* in \/mnt\/nas\/dvom\./);
            }
          },
          { ...size, colorScheme },
        );
      }
    }
  });

  it('shows a failed save in words inside the form and keeps what was typed', async () => {
    const api = new TargetsEngine([], {
      'targets.save': ({ name }) => {
        throw new ApiError({ code: 'USAGE', message: `target '${name}': enter the secret key for access key AKIA` });
      },
    });
    await withPage(api, async (page) => {
      await page.getByRole('button', { name: 'Add target' }).click();
      const form = dialog(page, 'Add a storage target');
      await form.getByRole('textbox', { name: 'Name' }).fill('nas');
      await form.getByRole('textbox', { name: 'Folder' }).fill('/mnt/nas');
      await form.getByRole('button', { name: 'Add target' }).click();
      await form.getByRole('alert').filter({ hasText: "Target 'nas': enter the secret key for access key AKIA." }).waitFor();
      assert.equal(await form.getByRole('textbox', { name: 'Folder' }).inputValue(), '/mnt/nas');
      assert.equal(await form.getByRole('button', { name: 'Add target' }).isEnabled(), true);
    });
  });

  it('Make default on a card saves the target unchanged as the default', async () => {
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom', true), s3Target('offsite')]);
    await withPage(api, async (page) => {
      await card(page, 'offsite').getByRole('button', { name: 'Make default' }).click();
      await card(page, 'offsite').getByText('Default', { exact: true }).waitFor();
      assert.doesNotMatch(await text(card(page, 'nas')), /Default/);
      assert.deepEqual(api.callsOf('targets.save'), [
        {
          name: 'offsite',
          target: { type: 's3', bucket: 'backups', prefix: 'dvom/', endpoint: 'https://s3.example.com', region: 'eu-west-1', pathStyle: true, accessKeyId: 'AKIAEXAMPLE' },
          makeDefault: true,
        },
      ]);
      await page.getByRole('status').filter({ hasText: 'offsite is now the default target.' }).waitFor();
    });
  });

  it('Remove asks first; Cancel keeps the target, confirming removes it; a failure shows in the dialog', async () => {
    let failOnce = true;
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom', true), localTarget('usb', '/media/usb')]);
    const remove = api.handlers['targets.remove']!;
    api.handlers['targets.remove'] = (p) => {
      if (failOnce) {
        failOnce = false;
        throw new ApiError({ code: 'ERROR', message: 'cannot write config file /home/ada/.config/dvom/config.json: EACCES: permission denied' });
      }
      return remove(p);
    };
    await withPage(api, async (page) => {
      const removeButton = card(page, 'nas').getByRole('button', { name: 'Remove' });
      await removeButton.click();
      const confirm = dialog(page, 'Remove nas?');
      await confirm.waitFor();
      assert.match(await text(confirm), /backups stored in \/mnt\/nas\/dvom are not deleted/);
      assert.match(await text(confirm), /It is the default target/);
      assert.ok(await confirm.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement), 'the safe choice has the focus');
      await page.keyboard.press('Enter');
      await confirm.waitFor({ state: 'detached' });
      assert.ok(await removeButton.evaluate((el) => el === document.activeElement), 'the focus is back on Remove');
      assert.equal(api.callsOf('targets.remove').length, 0);

      await removeButton.click();
      await confirm.getByRole('button', { name: 'Remove target' }).click();
      await confirm.getByRole('alert').filter({ hasText: 'Cannot write config file' }).waitFor();
      await screenshot(page, 'settings-component-remove-failed.png');
      await confirm.getByRole('button', { name: 'Remove target' }).click();
      await confirm.waitFor({ state: 'detached' });
      await card(page, 'nas').waitFor({ state: 'detached' });
      await card(page, 'usb').waitFor();
      await page.getByRole('status').filter({ hasText: 'Removed nas.' }).waitFor();
      assert.ok(await page.getByRole('button', { name: 'Add target' }).evaluate((el) => el === document.activeElement));
      assert.deepEqual(api.callsOf('targets.remove'), [{ name: 'nas' }, { name: 'nas' }]);
    });
  });

  it('reloads when the engine says targets changed', async () => {
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom')]);
    await withPage(api, async (page) => {
      await card(page, 'nas').waitFor();
      api.targets.push(localTarget('usb', '/media/usb'));
      await api.fake.emit('backups.changed', {});
      await card(page, 'usb').waitFor();
    });
  });

  it('Theme: a radio group (System, Light, Dark), applied to the root element and remembered; System follows the OS', async () => {
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom', true)]);
    await withPage(
      api,
      async (page) => {
        const group = page.getByRole('radiogroup', { name: 'Theme' });
        const radio = (name: string) => group.getByRole('radio', { name, exact: true });
        const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
        const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(await radio('System').isChecked(), true);
        assert.equal(await theme(), 'system');
        assert.equal(await background(), 'rgb(22, 25, 29)', 'System follows prefers-color-scheme: dark');
        assert.match(await descriptionOfRadio(radio('System')), /Follows this computer’s setting/);

        await radio('Light').check();
        assert.equal(await theme(), 'light');
        assert.equal(await background(), 'rgb(246, 247, 249)');
        assert.equal(await page.evaluate(() => window.localStorage.getItem('dvom.theme')), 'light');

        // Arrow keys move through the group, as in any radio group.
        await radio('Light').focus();
        await page.keyboard.press('ArrowRight');
        assert.equal(await radio('Dark').isChecked(), true);
        assert.equal(await theme(), 'dark');
        assert.equal(await background(), 'rgb(22, 25, 29)');

        await page.reload();
        await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
        assert.equal(await theme(), 'dark', 'remembered across a reload');
        assert.equal(await radio('Dark').isChecked(), true);

        await page.emulateMedia({ colorScheme: 'light' });
        assert.equal(await background(), 'rgb(22, 25, 29)', 'Dark stays dark whatever the OS says');
        await radio('System').check();
        assert.equal(await theme(), 'system');
        assert.equal(await background(), 'rgb(246, 247, 249)', 'System follows the OS again');
      },
      { colorScheme: 'dark' },
    );
  });

  it('looks right in dark mode (screenshot)', async () => {
    const api = new TargetsEngine([localTarget('nas', '/mnt/nas/dvom', true), s3Target('offsite')], {
      'targets.test': ({ name }) => {
        if (name === 'nas') return { location: '/mnt/nas/dvom' };
        throw new ApiError({ code: 'ERROR', message: 'access denied to s3://backups/dvom/ at https://s3.example.com while trying to store probes/1f; check the credentials’ permissions' });
      },
    });
    await withPage(
      api,
      async (page) => {
        await card(page, 'offsite').getByRole('button', { name: 'Test connection' }).click();
        await card(page, 'offsite').getByRole('status').filter({ hasText: 'access denied' }).waitFor();
        await card(page, 'nas').getByRole('button', { name: 'Test connection' }).click();
        await card(page, 'nas').getByRole('status').filter({ hasText: 'Connection works' }).waitFor();
        await screenshot(page, 'settings-component-dark.png');
        await assertReadable({
          'the page title': page.getByRole('heading', { name: 'Settings', level: 1 }),
          'a target name': card(page, 'nas').getByRole('heading', { name: 'nas' }),
          'a failed test': card(page, 'offsite').getByRole('status').filter({ hasText: 'access denied' }),
          'the Add target button': page.getByRole('button', { name: 'Add target' }),
        });
        await card(page, 'offsite').getByRole('button', { name: 'Edit' }).click();
        await dialog(page, 'Edit offsite').getByRole('textbox', { name: 'Access key' }).fill('');
        await dialog(page, 'Edit offsite').getByRole('textbox', { name: 'Bucket' }).fill('X');
        await dialog(page, 'Edit offsite').getByRole('button', { name: 'Save changes' }).click();
        await page.screenshot({ path: path.join(RESULTS_DIR, 'settings-component-dialog-dark.png') });
        await assertReadable({
          'the dialog title': dialog(page, 'Edit offsite').getByRole('heading', { name: 'Edit offsite' }),
          'a field label': dialog(page, 'Edit offsite').getByText('Bucket', { exact: true }),
          'a field error': dialog(page, 'Edit offsite').getByRole('alert').filter({ hasText: /\S/ }).first(),
        });
      },
      { colorScheme: 'dark' },
    );
  });
}


const descriptionOfRadio = descriptionOf;
