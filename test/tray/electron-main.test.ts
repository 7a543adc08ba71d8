/**
 * main.ts itself, loaded with a fake Electron (fake-electron.ts) in a
 * temporary environment: the tray comes up with the window, closing the
 * window hides it (told once, ever), the tray opens it again, a second start
 * shows it (not a --hidden one), launch at login writes the XDG entry, and
 * Quit in the tray really quits. What real Electron would draw is not covered.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { it } from 'node:test';
import { app, fake, menuItem, settle, startMain, waitFor } from './fake-electron.ts';

const tmp = await startMain('main');

const tray = () => fake.trays[0]!;
const win = () => fake.windows.at(-1)!;
const keepsRunning = () => fake.notifications.filter((n) => n.options.title === 'DVOM keeps running in the tray');

it('starts with the tray and the window', async () => {
  await waitFor('the tray shows the state', () => fake.trays[0]?.tooltip.startsWith('DVOM:') === true && win()?.visible === true);
  assert.equal(fake.trays.length, 1);
  assert.equal(fake.windows.length, 1);
  assert.equal(win().visible, true);
  assert.equal(tray().tooltip, 'DVOM: No scheduled backups');
  assert.equal(menuItem(tray().menu, 'No scheduled backups')!.enabled, false);
});

it('closing the window keeps DVOM in the tray, said once', async () => {
  assert.equal(win().close(), false, 'the close was turned into a hide');
  assert.equal(win().visible, false);
  assert.equal(fake.quit, false);
  await waitFor('told about the tray', () => keepsRunning().length === 1);
  assert.ok(existsSync(path.join(tmp, 'user-data', 'tray-hint-shown')));

  menuItem(tray().menu, 'Open DVOM')!.click!();
  assert.equal(win().visible, true);
  win().close();
  await settle();
  assert.equal(keepsRunning().length, 1, 'not told twice');
  assert.equal(fake.windows.length, 1, 'the same window, hidden and shown');
});

it('a second start shows the window, a --hidden one does not', () => {
  app.emit('second-instance', {}, ['/opt/DVOM/dvom-desktop', '--hidden'], '/');
  assert.equal(win().visible, false);
  app.emit('second-instance', {}, ['/opt/DVOM/dvom-desktop'], '/');
  assert.equal(win().visible, true);
});

it('launch at login writes the XDG autostart entry', async () => {
  menuItem(tray().menu, 'Launch at login')!.click!();
  await waitFor('the menu shows launch at login on', () => menuItem(tray().menu, 'Launch at login')!.checked === true);
  const entry = await fs.readFile(path.join(tmp, 'xdg', 'autostart', 'dvom.desktop'), 'utf8');
  assert.match(entry, /^Exec=.* --hidden$/m);
  assert.equal(menuItem(tray().menu, 'Launch at login')!.checked, true);
  menuItem(tray().menu, 'Launch at login')!.click!();
  await waitFor('the menu shows launch at login off', () => menuItem(tray().menu, 'Launch at login')!.checked === false);
  assert.equal(existsSync(path.join(tmp, 'xdg', 'autostart', 'dvom.desktop')), false);
});

it('Quit in the tray really quits (nothing running: no question)', async () => {
  menuItem(tray().menu, 'Quit DVOM')!.click!();
  await waitFor('the app quit', () => fake.quit);
  assert.equal(fake.dialogs.length, 0);
  assert.equal(fake.quit, true);
  assert.equal(fake.quitRequests, 2, 'held back for the cleanup, then quit for real');
  assert.equal(win().destroyed, true, 'the window closed for real this time');
});
