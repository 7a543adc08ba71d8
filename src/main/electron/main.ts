// The Electron shell: thin on purpose. Everything below it (engine, API,
// renderer) is tested through `dvom serve`; this file only wires windows, the
// app:// protocol, IPC and the keychain together.
import { BrowserWindow, app, ipcMain, net, protocol, session, shell } from 'electron';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHandlers } from '../app/api-handlers.ts';
import { Dispatcher } from '../app/dispatcher.ts';
import { DvomApp } from '../app/dvom-app.ts';
import { OsKeychain } from '../secrets/secret-store.ts';
import { registerIpcApi } from './ipc-api.ts';
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
    mainWindow.once('ready-to-show', () => mainWindow?.show());
    mainWindow.on('closed', () => (mainWindow = undefined));
    void mainWindow.loadURL(`${APP_ORIGIN}/index.html`);
  };

  app.on('second-instance', () => {
    if (!mainWindow) return createWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
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
    createWindow();
    app.on('activate', () => {
      if (!BrowserWindow.getAllWindows().length) createWindow();
    });
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    // Running jobs are cancelled and clean up (helpers, temporary volumes, stopped containers) before exit.
    void dvom.shutdown().finally(() => app.quit());
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
