/**
 * The desktop app itself: Electron with the built main process, preload and
 * renderer. Runs wherever an Electron binary is installed; the same UI is
 * otherwise tested in Chromium through `dvom serve`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { it } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { REPO_ROOT, requireBuiltRenderer, screenshotPath } from './browser.ts';

const MAIN = path.join(REPO_ROOT, 'dist', 'main', 'electron', 'main.js');
const PRELOAD = path.join(REPO_ROOT, 'dist', 'electron', 'preload.cjs');

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

it('the desktop app opens on the Volumes page', { skip, timeout: 120_000 }, async () => {
  requireBuiltRenderer();
  assert.ok(existsSync(MAIN), `${MAIN} is missing: run npm run build first`);
  assert.ok(existsSync(PRELOAD), `${PRELOAD} is missing: run npm run build first`);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-electron-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [MAIN],
    env: { ...process.env, DVOM_USER_DATA_DIR: path.join(tmp, 'user-data'), DVOM_CONFIG: path.join(tmp, 'config.json') },
  });
  try {
    const page = await app.firstWindow();
    await page.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
    // The page reached the engine through the preload: a table, an empty state or the engine's error in words.
    await page.getByRole('table', { name: 'Volumes' }).or(page.getByRole('status', { name: 'No Docker volumes' })).or(page.getByRole('alert')).first().waitFor();
    assert.equal(await page.evaluate(() => typeof (window as { dvom?: unknown }).dvom), 'object');
    await page.screenshot({ path: await screenshotPath('electron-volumes.png') });
  } finally {
    await app.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
});
