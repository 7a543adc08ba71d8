/**
 * main.ts started with --hidden (as launch at login does), with a fake
 * Electron: the tray comes up without a window; Open DVOM creates it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { app, fake, menuItem, settle, startMain, waitFor } from './fake-electron.ts';

await startMain('hidden', ['--hidden']);

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
