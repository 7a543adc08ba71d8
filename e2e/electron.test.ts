/**
 * The desktop app itself: Electron with the built main process, preload and
 * renderer, driven by Playwright's _electron. Runs wherever an Electron
 * binary is installed (CI: .github/workflows/electron.yml on hosted runners);
 * here it skips with one line, and the same UI is tested in Chromium
 * through `dvom serve`. The window opens on Volumes; a backup of a test
 * volume runs with progress (where a Docker engine answers); the tray has its
 * menu.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { TRAY_MENU_PROBE } from '../src/main/desktop/tray-menu.ts';
import { dockerSkipReason, useDockerFixture } from '../test/docker/docker-fixtures.ts';
import { openBackupDialog, recordProgress, waitForJobToFinish } from './backup-helpers.ts';
import { REPO_ROOT, requireBuiltRenderer, screenshotPath } from './browser.ts';

const MAIN = path.join(REPO_ROOT, 'dist', 'main', 'electron', 'main.js');
const PRELOAD = path.join(REPO_ROOT, 'dist', 'electron', 'preload.cjs');
const TITLE = 'the desktop app (Electron)';

/**
 * The Electron binary, or undefined. The package's path.txt is checked first:
 * require('electron') without an installed binary would try to download one.
 */
function electronBinary(): string | undefined {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile) || !existsSync(path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim()))) return undefined;
  const binary = require('electron') as unknown;
  return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const skip = binary
  ? undefined
  : 'no Electron binary is installed (its download host is unreachable here); the same UI is tested in Chromium through dvom serve';

// Hosted macOS and Windows runners have no Linux-container engine (nor busybox): there the backup test says so and skips.
const dockerSkip = binary ? await dockerSkipReason() : undefined;

if (skip) it(TITLE, { skip }, () => undefined);
else describe(TITLE, body);

function body() {
  // Its hooks (a lock on the shared engine, the test image, removal of what the test made) only where Docker answers.
  const fx = dockerSkip ? undefined : useDockerFixture();
  let tmp = '';
  let app: ElectronApplication;
  let page: Page;
  let volume = '';

  before(async () => {
    requireBuiltRenderer();
    assert.ok(existsSync(MAIN), `${MAIN} is missing: run npm run build first`);
    assert.ok(existsSync(PRELOAD), `${PRELOAD} is missing: run npm run build first`);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-electron-'));
    if (fx) {
      volume = await fx.volume('electron');
      await fx.runInVolume(volume, 'set -e; mkdir -p /data/db; dd if=/dev/urandom of=/data/db/table.bin bs=1024 count=6144 2>/dev/null; echo hello > /data/readme.txt');
    }
    app = await electron.launch({
      executablePath: binary!,
      args: [MAIN],
      env: {
        ...process.env,
        DVOM_USER_DATA_DIR: path.join(tmp, 'user-data'),
        DVOM_CONFIG: path.join(tmp, 'config.json'),
        DVOM_BACKUP_DIR: fx?.store ?? path.join(tmp, 'store'),
        // Fast key derivation for the test's encrypted backup.
        DVOM_SCRYPT_N: '1024',
      },
    });
    page = await app.firstWindow();
  });

  after(async () => {
    await app?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('opens on the Volumes page, which reached the engine through the preload', async () => {
    await page.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
    // A table, an empty state or the engine's error in words.
    await page.getByRole('table', { name: 'Volumes' }).or(page.getByRole('status', { name: 'No Docker volumes' })).or(page.getByRole('alert')).first().waitFor();
    assert.equal(await page.evaluate(() => typeof (window as { dvom?: unknown }).dvom), 'object');
    await page.screenshot({ path: await screenshotPath('electron-volumes.png') });
  });

  it('has its tray menu', async () => {
    let labels: string[] | undefined;
    // The menu is set once the tray has read the schedules: wait for it (no fixed delay).
    for (let i = 0; i < 200 && !labels; i++) {
      labels = await app.evaluate((_electron, key) => (globalThis as Record<string, unknown>)[key] as string[] | undefined, TRAY_MENU_PROBE);
      if (!labels) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(labels, 'the tray has a menu');
    for (const item of ['Open DVOM', 'Pause all schedules', 'Quit DVOM']) assert.ok(labels.includes(item), `${item} in ${labels.join(' | ')}`);
  });

  it('backs up a test volume and shows its progress to 100 %', { timeout: 180_000 }, async (t) => {
    if (dockerSkip) return t.skip(dockerSkip);
    const f = await openBackupDialog(page, volume);
    await f.password.fill('electron lantern orchard velvet');
    await f.confirm.fill('electron lantern orchard velvet');
    // No keychain is needed on the runner.
    if (await f.remember.isChecked()) await f.remember.uncheck();
    const title = `Back up ${volume} to ${volume}`;
    const seen = await recordProgress(page, title);
    await f.start.click();
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
    const done = await waitForJobToFinish(page, title);
    assert.equal(done.state, 'Succeeded', done.text);
    assert.equal(done.valueNow, '100');
    const values = await seen();
    assert.equal(values.at(-1), '100', `progress seen: ${values.join(' → ')}`);
    await page.screenshot({ path: await screenshotPath('electron-backup-done.png') });
  });
}
