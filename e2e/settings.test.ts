/**
 * The Settings page in Debian's Chromium, served by a real `dvom serve`
 * server (in this process) with a temporary local store, a temporary config
 * file and an in-memory keychain: local and S3 storage targets (S3 on the
 * test Ceph RADOS Gateway), Test connection, and the theme.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { s3SecretAccount } from '../src/main/secrets/accounts.ts';
import { DVOM_VERSION } from '../src/main/version.ts';
import { chromiumSkipReason, launchChromium, REPO_ROOT, requireBuiltRenderer, screenshotPath, startServer } from './browser.ts';

const TITLE = 'the Settings page in Chromium through dvom serve';
const skip = chromiumSkipReason();

if (skip) it(TITLE, { skip }, () => undefined);
else describe(TITLE, body);

interface S3Env {
  endpoint: string;
  accessKey: string;
  secretKey: string;
}

/**
 * The test S3 gateway: DVOM_TEST_S3_* when set (CI exports them), else the
 * gateway scripts/services/ceph-rgw.sh starts (or finds already running).
 */
async function s3Env(): Promise<S3Env> {
  if (!process.env.DVOM_TEST_S3_ENDPOINT) {
    const { stdout } = await promisify(execFile)('bash', [path.join(REPO_ROOT, 'scripts', 'services', 'ceph-rgw.sh')], {
      cwd: REPO_ROOT,
      timeout: 180_000,
    });
    for (const line of stdout.split('\n')) {
      const match = /^(DVOM_TEST_S3_[A-Z_]+)=(.*)$/.exec(line.trim());
      if (match) process.env[match[1]!] = match[2]!;
    }
  }
  const { DVOM_TEST_S3_ENDPOINT: endpoint, DVOM_TEST_S3_ACCESS_KEY: accessKey, DVOM_TEST_S3_SECRET_KEY: secretKey } = process.env;
  if (!endpoint || !accessKey || !secretKey) throw new Error('scripts/services/ceph-rgw.sh printed no DVOM_TEST_S3_* settings');
  return { endpoint, accessKey, secretKey };
}

function body() {
  let tmp = '';
  let store = '';
  let configFile = '';
  let browser: Browser;
  let served: Awaited<ReturnType<typeof startServer>>;
  let page: Page;
  let s3: S3Env | undefined;
  /** Why the S3 steps cannot run, when the gateway could not be started. */
  let s3Problem = '';
  let bucket: { name: string; keys(prefix?: string): Promise<string[]>; remove(): Promise<void> } | undefined;
  let releaseGateway: (() => void) | undefined;

  before(async () => {
    requireBuiltRenderer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-e2e-settings-'));
    store = path.join(tmp, 'store');
    configFile = path.join(tmp, 'config.json');
    // The server reads this config (per request): no developer config may apply.
    process.env.DVOM_CONFIG = configFile;
    try {
      s3 = await s3Env();
      // Imported once the gateway's address is known: the fixtures coordinate test files per endpoint.
      const fixtures = await import('../test/s3/s3-fixtures.ts');
      releaseGateway = await fixtures.useGateway();
      bucket = await fixtures.createTestBucket({ ...s3, roAccessKey: '', roSecretKey: '' }, 'settings-e2e');
    } catch (err) {
      s3Problem = `no S3 gateway for the S3 steps: ${(err as Error).message.split('\n')[0]}`;
    }
    served = await startServer({ backupDir: store });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1200, height: 820 }, colorScheme: 'light' });
    page = await context.newPage();
    await page.goto(served.server.newLoginUrl());
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await served?.stop();
    await bucket?.remove();
    releaseGateway?.();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  const card = (name: string) => page.getByRole('article', { name, exact: true });
  const outcome = (name: string) => card(name).getByRole('status');
  const words = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
  const config = async () => JSON.parse(await fs.readFile(configFile, 'utf8')) as { defaultTarget?: string; targets: Record<string, Record<string, unknown>> };
  const needS3 = (t: TestContext): boolean => {
    if (s3 && bucket) return true;
    t.skip(s3Problem);
    return false;
  };

  /** The whole page: the shell scrolls inside .content, so the window is made as tall as the page for the shot. */
  async function screenshot(name: string): Promise<void> {
    const viewport = page.viewportSize()!;
    const height = await page.evaluate(() => {
      const content = document.querySelector('.content')!;
      return content.scrollHeight + content.getBoundingClientRect().top;
    });
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.ceil(height)) });
    await page.screenshot({ path: await screenshotPath(name) });
    await page.setViewportSize(viewport);
  }

  /** Adds a target; saving tests its connection first. `failing`: the test is expected to fail (its words), and the target is saved anyway. */
  async function addTarget(fill: (form: Locator) => Promise<void>, failing?: RegExp): Promise<void> {
    await page.getByRole('button', { name: 'Add target' }).click();
    const form = page.getByRole('dialog', { name: 'Add a storage target' });
    await form.waitFor();
    await fill(form);
    await form.getByRole('button', { name: 'Add target' }).click();
    if (failing) {
      const alert = form.getByRole('alert').filter({ hasText: 'The connection test failed' });
      await alert.waitFor({ timeout: 60_000 });
      assert.match(await words(alert), failing);
      await form.getByRole('button', { name: 'Save anyway' }).click();
    }
    await form.waitFor({ state: 'detached', timeout: 60_000 });
  }

  async function addS3Target(name: string, bucketName: string, secretKey: string, failing?: RegExp): Promise<void> {
    await addTarget(async (form) => {
      await form.getByRole('textbox', { name: 'Name' }).fill(name);
      await form.getByRole('radio', { name: 'S3 bucket' }).check();
      await form.getByRole('textbox', { name: 'Endpoint' }).fill(s3!.endpoint);
      await form.getByRole('textbox', { name: 'Region' }).fill('us-east-1');
      await form.getByRole('textbox', { name: 'Bucket' }).fill(bucketName);
      await form.getByRole('textbox', { name: 'Prefix' }).fill('dvom-e2e/');
      assert.equal(await form.getByRole('checkbox', { name: 'Path-style addressing' }).isChecked(), true);
      await form.getByRole('textbox', { name: 'Access key' }).fill(s3!.accessKey);
      await form.getByLabel('Secret key').fill(secretKey);
    }, failing);
    await card(name).waitFor();
  }

  it('shows the store in use, the Docker host, the keychain and the version', async () => {
    const targets = page.getByRole('region', { name: 'Storage targets' });
    await targets.getByText(store, { exact: true }).waitFor();
    await page.getByRole('heading', { name: 'No storage targets yet' }).waitFor();
    const dockerHost = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
    assert.match(await words(page.getByRole('region', { name: 'Docker engine' })), new RegExp(`In use: default ${dockerHost.replace(/[/.]/g, '\\$&')}`));
    const about = await words(page.getByRole('region', { name: 'About DVOM' }));
    assert.match(about, new RegExp(`Version ${DVOM_VERSION.replace(/\./g, '\\.')}`));
    assert.match(about, /Keychain test keychain/);
  });

  it('adds a local folder target, makes it the default and tests it', async () => {
    const folder = path.join(tmp, 'local target');
    await addTarget(async (form) => {
      await form.getByRole('textbox', { name: 'Name' }).fill('e2e-local');
      await form.getByRole('textbox', { name: 'Folder' }).fill(folder);
    });
    await card('e2e-local').waitFor();
    assert.match(await words(card('e2e-local')), new RegExp(`Local folder ${folder.replace(/[/.]/g, '\\$&')}`));
    assert.doesNotMatch(await words(card('e2e-local')), /Default/);

    await card('e2e-local').getByRole('button', { name: 'Make default' }).click();
    await card('e2e-local').getByText('Default', { exact: true }).waitFor();
    assert.equal(await card('e2e-local').getByRole('button', { name: 'Make default' }).isDisabled(), true);
    assert.equal((await config()).defaultTarget, 'e2e-local');

    await card('e2e-local').getByRole('button', { name: 'Test connection' }).click();
    await outcome('e2e-local').filter({ hasText: 'Connection works' }).waitFor();
    assert.match(await words(outcome('e2e-local')), new RegExp(`in ${folder.replace(/[/.]/g, '\\$&')}\\.`));
  });

  it('adds an S3 target on the gateway: Test connection succeeds, the secret key stays out of the page and the config file', async (t) => {
    if (!needS3(t)) return;
    await addS3Target('e2e-s3', bucket!.name, s3!.secretKey);
    assert.match(await words(card('e2e-s3')), new RegExp(`s3://${bucket!.name}/dvom-e2e/ at ${s3!.endpoint}`));

    await card('e2e-s3').getByRole('button', { name: 'Test connection' }).click();
    await outcome('e2e-s3').filter({ hasText: /Connection (works|failed)/ }).waitFor({ timeout: 60_000 });
    assert.match(await words(outcome('e2e-s3')), new RegExp(`Connection works: .* in s3://${bucket!.name}/dvom-e2e/\\.`));
    assert.deepEqual(await bucket!.keys(), [], 'the probe was deleted');

    // The secret is in the keychain, never in the config file nor in the page.
    assert.equal(await served.app.secrets.get('s3-secret-key', s3SecretAccount('e2e-s3')), s3!.secretKey);
    const raw = await fs.readFile(configFile, 'utf8');
    assert.ok(!raw.includes(s3!.secretKey), 'the config file has no secret key');
    assert.equal((await config()).targets['e2e-s3']?.accessKeyId, s3!.accessKey);
    assert.ok(!(await page.content()).includes(s3!.secretKey), 'the page has no secret key');

    // Editing with the secret key left empty keeps the stored one.
    await card('e2e-s3').getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('dialog', { name: 'Edit e2e-s3' });
    assert.match(await form.getByLabel('Secret key').getAttribute('placeholder') ?? '', /leave empty to keep it/);
    await form.getByRole('textbox', { name: 'Prefix' }).fill('dvom-e2e-2/');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });
    // Saving tested the new settings: the card says how that went.
    await outcome('e2e-s3').filter({ hasText: `Connection works: DVOM wrote, listed, read back and deleted a test file in s3://${bucket!.name}/dvom-e2e-2/` }).waitFor();
    await card('e2e-s3').getByRole('button', { name: 'Test connection' }).click();
    await outcome('e2e-s3').filter({ hasText: /Connection (works|failed)/ }).waitFor({ timeout: 60_000 });
    assert.match(await words(outcome('e2e-s3')), new RegExp(`Connection works: .* in s3://${bucket!.name}/dvom-e2e-2/\\.`));
    assert.ok(!(await page.content()).includes(s3!.secretKey), 'still no secret key in the page');
  });

  it('says in words when the bucket does not exist or the key is wrong', async (t) => {
    if (!needS3(t)) return;
    await addS3Target('e2e-missing', `${bucket!.name}-missing`, s3!.secretKey, /does not exist/);
    await card('e2e-missing').getByRole('button', { name: 'Test connection' }).click();
    await outcome('e2e-missing').filter({ hasText: 'Connection failed' }).waitFor({ timeout: 60_000 });
    const missing = await words(outcome('e2e-missing'));
    assert.match(missing, new RegExp(`Bucket of s3://${bucket!.name}-missing/dvom-e2e/ does not exist at ${s3!.endpoint}; create it first\\.`));
    assert.doesNotMatch(missing, /\bat .*:\d+:\d+\)/, 'no stack trace');

    await addS3Target('e2e-badkey', bucket!.name, 'not-the-secret-key', /S3 rejected the credentials/);
    await card('e2e-badkey').getByRole('button', { name: 'Test connection' }).click();
    await outcome('e2e-badkey').filter({ hasText: 'Connection failed' }).waitFor({ timeout: 60_000 });
    assert.match(await words(outcome('e2e-badkey')), /S3 rejected the credentials .*check the access key and secret/);
    assert.ok(!(await fs.readFile(configFile, 'utf8')).includes('not-the-secret-key'));
  });

  it('switches the theme to Dark and back (screenshots in both)', async () => {
    const group = page.getByRole('radiogroup', { name: 'Theme' });
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await group.getByRole('radio', { name: 'System' }).isChecked(), true);
    const light = await background();

    await group.getByRole('radio', { name: 'Dark' }).check();
    assert.equal(await theme(), 'dark');
    assert.notEqual(await background(), light);
    await screenshot('settings-e2e-dark.png');

    // Remembered: a reload (the session cookie stays) opens dark.
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    assert.equal(await theme(), 'dark');
    assert.equal(await group.getByRole('radio', { name: 'Dark' }).isChecked(), true);

    await group.getByRole('radio', { name: 'Light' }).check();
    assert.equal(await theme(), 'light');
    assert.equal(await background(), light);
    await card('e2e-local').getByRole('button', { name: 'Test connection' }).click();
    await outcome('e2e-local').filter({ hasText: 'Connection works' }).waitFor();
    await screenshot('settings-e2e-light.png');
    await group.getByRole('radio', { name: 'System' }).check();
    assert.equal(await theme(), 'system');
  });

  it('removes a target only after confirmation', async () => {
    const name = (await card('e2e-missing').count()) ? 'e2e-missing' : 'e2e-local';
    await card(name).getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('dialog', { name: `Remove ${name}?` });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.ok((await config()).targets[name], 'Cancel keeps it');

    await card(name).getByRole('button', { name: 'Remove' }).click();
    await confirm.getByRole('button', { name: 'Remove target' }).click();
    await card(name).waitFor({ state: 'detached' });
    assert.equal((await config()).targets[name], undefined);
    assert.equal(await served.app.secrets.get('s3-secret-key', s3SecretAccount(name)), undefined, 'its secret key left the keychain');
  });
}
