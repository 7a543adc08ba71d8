/**
 * main.ts started with --hidden (as launch at login does), with a fake
 * Electron: the tray comes up without a window; Open DVOM creates it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, it } from 'node:test';
import { app, fake, menuItem, useFakeElectron } from './fake-electron.ts';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-electron-hidden-'));
after(() => fs.rm(tmp, { recursive: true, force: true }));
process.env.DVOM_CONFIG = path.join(tmp, 'config.json');
process.env.DVOM_STATE = path.join(tmp, 'schedule-state.json');
process.env.DVOM_USER_DATA_DIR = path.join(tmp, 'user-data');
process.env.XDG_CONFIG_HOME = path.join(tmp, 'xdg');
process.argv.push('--hidden');

useFakeElectron();
await import('../../src/main/electron/main.ts');

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
/** Waits (up to 5 s) for a condition, so a busy machine does not fail the test. */
async function waitFor(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await settle();
  assert.ok(condition(), what);
}

it('starts in the tray only, and opens the window from it', async () => {
  await waitFor('the tray has its menu', () => (fake.trays[0]?.menu.length ?? 0) > 0);
  assert.equal(fake.trays.length, 1);
  assert.equal(fake.windows.length, 0, 'no window at a --hidden start');
  menuItem(fake.trays[0]!.menu, 'Open DVOM')!.click!();
  await settle();
  assert.equal(fake.windows.length, 1);
  assert.equal(fake.windows[0]!.visible, true);
  app.quit();
  await waitFor('the app quit', () => fake.quit);
});
