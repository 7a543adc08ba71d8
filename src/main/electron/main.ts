// The Electron shell: thin on purpose. Everything below it (engine, API,
// renderer) is tested through `dvom serve`; this file only wires windows, the
// app:// protocol, IPC and the keychain together.
// First: sizes libuv's pool before anything uses it (too late if Electron itself already has).
import '../platform/thread-pool.ts';
import { BrowserWindow, app, ipcMain, net, protocol, session, shell } from 'electron';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHandlers } from '../app/api-handlers.ts';
import { Dispatcher } from '../app/dispatcher.ts';
import { DvomApp } from '../app/dvom-app.ts';
import { OsKeychain } from '../secrets/secret-store.ts';
import { registerIpcApi } from './ipc-api.ts';
import { HIDDEN_FLAG, launchAtLogin, startedHidden } from './launch-at-login.ts';
import { askToQuit, showNotice, startRunNotifications } from './notifications.ts';
import { startTray, type TrayHandle } from './tray.ts';
import { KEEPS_RUNNING_NOTICE, QuitFlow, keepInTrayOnClose, tellOnce } from './window-lifecycle.ts';
import { APP_CSP, APP_ORIGIN, isAppUrl, lockDownSession, lockDownWindow } from './window-security.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.resolve(here, '..', '..');
const rendererDir = path.join(distDir, 'renderer');
const preloadFile = path.join(distDir, 'electron', 'preload.cjs');

if (process.env.DVOM_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.DVOM_USER_DATA_DIR));

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const dvom = new DvomApp({ secrets: new OsKeychain(), log: (m) => console.log(m) });
  const dispatcher = new Dispatcher(createHandlers(dvom));
  let mainWindow: BrowserWindow | undefined;
  // Tray and quitting (tray.ts, window-lifecycle.ts): closing the window keeps DVOM in the tray; quit asks while a job runs.
  let tray: TrayHandle | undefined;
  const quitFlow = new QuitFlow({ jobs: dvom.jobs, ask: askToQuit, shutdown: () => dvom.shutdown(), exit: () => app.quit() });

  const createWindow = () => {
    mainWindow = new BrowserWindow({
      width: 1200,
      height: 800,
      minWidth: 800,
      minHeight: 560,
      title: 'DVOM',
      show: false,
      webPreferences: {
        preload: preloadFile,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
      },
    });
    lockDownWindow(mainWindow, (url) => void shell.openExternal(url));
    keepInTrayOnClose(mainWindow, {
      keepRunning: () => tray !== undefined && !quitFlow.quitting(),
      onHidden: tellOnce(path.join(app.getPath('userData'), 'tray-hint-shown'), () => showNotice(KEEPS_RUNNING_NOTICE, showWindow)),
    });
    mainWindow.once('ready-to-show', () => mainWindow?.show());
    mainWindow.on('closed', () => (mainWindow = undefined));
    void mainWindow.loadURL(`${APP_ORIGIN}/index.html`);
  };

  const showWindow = () => {
    if (!mainWindow) return createWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };

  // Another start shows the window, unless it is a --hidden (login) start.
  app.on('second-instance', (_event, argv) => {
    if (!argv.includes(HIDDEN_FLAG)) showWindow();
  });

  app.whenReady().then(() => {
    lockDownSession(session.defaultSession);
    // Serves the built renderer from app://dvom/, only files inside its folder, with a strict CSP.
    protocol.handle('app', async (request) => {
      const url = new URL(request.url);
      const file = path.resolve(rendererDir, '.' + decodeURIComponent(url.pathname));
      const inside = file.startsWith(rendererDir + path.sep);
      const response = await net.fetch(pathToFileURL(inside ? file : path.join(rendererDir, 'index.html')).toString());
      const headers = new Headers(response.headers);
      headers.set('Content-Security-Policy', APP_CSP);
      return new Response(response.body, { status: response.status, headers });
    });
    registerIpcApi(ipcMain, dispatcher, dvom.events, isAppUrl, () => BrowserWindow.getAllWindows().map((w) => w.webContents));
    // The tray, notifications of scheduled runs and launch at login; a --hidden (login) start opens no window.
    tray = startTray({ dvom, dispatcher, loginItem: launchAtLogin(app), openWindow: showWindow, quit: () => app.quit(), notify: (n) => showNotice(n, showWindow) });
    startRunNotifications(dvom, showWindow);
    if (!tray || !startedHidden(process.argv, app)) createWindow();
    // Scheduled backups run in this process, with or without a window.
    void dvom.scheduler.start();
    app.on('activate', (_event, hasVisibleWindows) => {
      if (!hasVisibleWindows) showWindow();
    });
  });

  app.on('before-quit', (event) => {
    // Asks first while a job runs (cancel it and quit / wait, then quit / don't quit); running jobs are
    // cancelled and clean up (helpers, temporary volumes, stopped containers) before exit (QuitFlow).
    if (!quitFlow.request()) event.preventDefault();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
