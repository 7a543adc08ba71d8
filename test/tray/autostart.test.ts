/**
 * Launch at login: the XDG autostart entry (written into a temporary
 * XDG_CONFIG_HOME) and the Electron login-item adapter with a fake app for
 * macOS and Windows.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  HIDDEN_FLAG,
  autostartPath,
  desktopEntry,
  execLine,
  isAutostartEnabled,
  launchCommand,
  quoteExecArg,
  refreshAutostart,
  setAutostart,
} from '../../src/main/desktop/autostart.ts';
import { launchAtLogin, startedHidden, type LoginApp } from '../../src/main/electron/launch-at-login.ts';

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-autostart-'));
});
after(() => fs.rm(tmp, { recursive: true, force: true }));

/** A fresh, empty XDG_CONFIG_HOME per test. */
async function configHome(): Promise<{ env: NodeJS.ProcessEnv; dir: string; file: string }> {
  const dir = await fs.mkdtemp(path.join(tmp, 'config-'));
  return { env: { XDG_CONFIG_HOME: dir }, dir, file: path.join(dir, 'autostart', 'dvom.desktop') };
}

/**
 * Reads an Exec value back the way a desktop environment does (string-value
 * unescaping, then the Exec quoting rules), to check the round trip.
 */
function parseExec(line: string): string[] {
  assert.ok(line.startsWith('Exec='));
  const value = line.slice(5).replace(/\\(.)/g, (_m, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
  const args: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === ' ') {
      i++;
      continue;
    }
    let arg = '';
    if (value[i] === '"') {
      i++;
      while (value[i] !== '"') {
        assert.ok(i < value.length, 'unterminated quote');
        if (value[i] === '\\') i++;
        arg += value[i++];
      }
      i++;
    } else {
      while (i < value.length && value[i] !== ' ') arg += value[i++];
    }
    args.push(arg.replace(/%%/g, '%'));
  }
  return args;
}

describe('XDG autostart entry', () => {
  it('lives in $XDG_CONFIG_HOME/autostart, else ~/.config/autostart (a relative XDG_CONFIG_HOME is ignored)', () => {
    assert.equal(autostartPath({ env: { XDG_CONFIG_HOME: '/x/conf' }, home: '/home/u' }), '/x/conf/autostart/dvom.desktop');
    assert.equal(autostartPath({ env: {}, home: '/home/u' }), '/home/u/.config/autostart/dvom.desktop');
    assert.equal(autostartPath({ env: { XDG_CONFIG_HOME: 'relative/conf' }, home: '/home/u' }), '/home/u/.config/autostart/dvom.desktop');
    assert.equal(autostartPath({ env: { XDG_CONFIG_HOME: '' }, home: '/home/u' }), '/home/u/.config/autostart/dvom.desktop');
  });

  it('starts the executable hidden, or the AppImage when running from one', () => {
    assert.deepEqual(launchCommand({ execPath: '/opt/DVOM/dvom-desktop' }), ['/opt/DVOM/dvom-desktop', HIDDEN_FLAG]);
    assert.deepEqual(launchCommand({ execPath: '/tmp/.mount_DVOMx/dvom-desktop', appImage: '/home/u/Apps/DVOM.AppImage' }), [
      '/home/u/Apps/DVOM.AppImage',
      '--hidden',
    ]);
    assert.deepEqual(launchCommand({ execPath: '/repo/node_modules/electron/dist/electron', appPath: '/repo' }), [
      '/repo/node_modules/electron/dist/electron',
      '/repo',
      '--hidden',
    ]);
  });

  it('quotes Exec arguments as the Desktop Entry spec says', () => {
    assert.equal(quoteExecArg('/opt/DVOM/dvom-desktop'), '/opt/DVOM/dvom-desktop');
    assert.equal(quoteExecArg('/opt/My Apps/DVOM'), '"/opt/My Apps/DVOM"');
    assert.equal(quoteExecArg('/a/$HOME/`x`/"q"'), '"/a/\\$HOME/\\`x\\`/\\"q\\""');
    assert.equal(quoteExecArg('/100%/app'), '/100%%/app');
    assert.equal(quoteExecArg(''), '""');
    // A backslash is escaped for the quoting and again for the string value: four in the file.
    assert.equal(execLine(['/a\\b']), 'Exec="/a\\\\\\\\b"');
  });

  it('round-trips awkward paths through the Exec line', () => {
    for (const command of [
      ['/opt/DVOM/dvom-desktop', '--hidden'],
      ['/home/me/My Apps/DVOM (new).AppImage', '--hidden'],
      ["/home/o'neil/$weird;`name`|&<>*?#~/100% \"x\"", '--hidden'],
      ['/back\\slash/app', '--hidden'],
    ]) {
      assert.deepEqual(parseExec(execLine(command)), command);
    }
  });

  it('is a valid desktop entry for an application', () => {
    const text = desktopEntry(['/opt/DVOM/dvom-desktop', '--hidden']);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], '[Desktop Entry]');
    for (const key of ['Type=Application', 'Name=DVOM', 'Exec=/opt/DVOM/dvom-desktop --hidden', 'Terminal=false']) assert.ok(lines.includes(key), key);
    for (const line of lines.slice(1)) assert.match(line, /^[A-Za-z0-9-]+=/);
  });

  it('is written, detected and removed', async () => {
    const { env, file } = await configHome();
    assert.equal(await isAutostartEnabled({ env }), false);
    await setAutostart(true, ['/opt/DVOM/dvom-desktop', '--hidden'], { env });
    assert.equal(await isAutostartEnabled({ env }), true);
    const text = await fs.readFile(file, 'utf8');
    assert.ok(text.includes('\nExec=/opt/DVOM/dvom-desktop --hidden\n'));
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['dvom.desktop'], 'no temporary file left behind');
    await setAutostart(false, [], { env });
    assert.equal(await isAutostartEnabled({ env }), false);
    await assert.rejects(fs.stat(file), { code: 'ENOENT' });
    await setAutostart(false, [], { env }); // removing twice is fine
  });

  it('counts an entry switched off by the desktop (Hidden=true, X-GNOME-Autostart-enabled=false) as off', async () => {
    const { env, file } = await configHome();
    await setAutostart(true, ['/opt/DVOM/dvom-desktop', '--hidden'], { env });
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, `${text}Hidden=true\n`);
    assert.equal(await isAutostartEnabled({ env }), false);
    await fs.writeFile(file, text.replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
    assert.equal(await isAutostartEnabled({ env }), false);
    await fs.writeFile(file, `${text}\n[Desktop Action other]\nHidden=true\n`);
    assert.equal(await isAutostartEnabled({ env }), true, 'keys of other groups do not count');
  });

  it('points an enabled entry at a moved executable, and leaves a current or disabled one alone', async () => {
    const { env, file } = await configHome();
    assert.equal(await refreshAutostart(['/new/DVOM.AppImage', '--hidden'], { env }), false, 'nothing to refresh when off');
    await assert.rejects(fs.stat(file), { code: 'ENOENT' });

    await setAutostart(true, ['/old/DVOM.AppImage', '--hidden'], { env });
    assert.equal(await refreshAutostart(['/old/DVOM.AppImage', '--hidden'], { env }), false);
    assert.equal(await refreshAutostart(['/new/DVOM.AppImage', '--hidden'], { env }), true);
    assert.ok((await fs.readFile(file, 'utf8')).includes('\nExec=/new/DVOM.AppImage --hidden\n'));
  });
});

describe('launch at login through Electron', () => {
  function fakeApp(isPackaged = true) {
    const calls: unknown[] = [];
    let openAtLogin = false;
    const app = {
      isPackaged,
      getAppPath: () => '/repo/app',
      getLoginItemSettings: (options?: unknown) => {
        calls.push(['get', options]);
        return { openAtLogin, wasOpenedAtLogin: true } as ReturnType<LoginApp['getLoginItemSettings']>;
      },
      setLoginItemSettings: (settings: { openAtLogin?: boolean }) => {
        calls.push(['set', settings]);
        openAtLogin = settings.openAtLogin ?? false;
      },
    } satisfies LoginApp;
    return { app, calls };
  }

  it('uses the XDG entry on Linux, with the AppImage and --hidden', async () => {
    const { env, file } = await configHome();
    const { app, calls } = fakeApp();
    const item = launchAtLogin(app, { platform: 'linux', env: { ...env, APPIMAGE: '/home/u/DVOM.AppImage' }, execPath: '/tmp/.mount/dvom' });
    assert.equal(await item.isEnabled(), false);
    await item.setEnabled(true);
    assert.equal(await item.isEnabled(), true);
    assert.ok((await fs.readFile(file, 'utf8')).includes('\nExec=/home/u/DVOM.AppImage --hidden\n'));
    await item.setEnabled(false);
    assert.equal(await item.isEnabled(), false);
    assert.deepEqual(calls, [], 'login items are not used on Linux');
  });

  it('passes the app folder in development (Electron itself is the executable)', async () => {
    const { env, file } = await configHome();
    const item = launchAtLogin(fakeApp(false).app, { platform: 'linux', env, execPath: '/repo/electron' });
    await item.setEnabled(true);
    assert.ok((await fs.readFile(file, 'utf8')).includes('\nExec=/repo/electron /repo/app --hidden\n'));
  });

  it('uses login items with --hidden on Windows', async () => {
    const { app, calls } = fakeApp();
    const item = launchAtLogin(app, { platform: 'win32', execPath: 'C:\\DVOM\\DVOM.exe' });
    await item.setEnabled(true);
    assert.equal(await item.isEnabled(), true);
    assert.deepEqual(calls, [
      ['set', { openAtLogin: true, path: 'C:\\DVOM\\DVOM.exe', args: ['--hidden'] }],
      ['get', { path: 'C:\\DVOM\\DVOM.exe', args: ['--hidden'] }],
    ]);
  });

  it('uses login items on macOS, where a login launch is told by wasOpenedAtLogin', async () => {
    const { app, calls } = fakeApp();
    const item = launchAtLogin(app, { platform: 'darwin' });
    await item.setEnabled(true);
    assert.equal(await item.isEnabled(), true);
    assert.deepEqual(calls[0], ['set', { openAtLogin: true }]);
    assert.equal(startedHidden(['/Applications/DVOM.app/Contents/MacOS/DVOM'], app, 'darwin'), true);
  });

  it('starts hidden with --hidden, and only then on Linux and Windows', () => {
    const { app } = fakeApp();
    assert.equal(startedHidden(['/opt/DVOM/dvom-desktop', '--hidden'], app, 'linux'), true);
    assert.equal(startedHidden(['/opt/DVOM/dvom-desktop'], app, 'linux'), false);
    assert.equal(startedHidden(['C:\\DVOM\\DVOM.exe'], app, 'win32'), false);
  });
});
