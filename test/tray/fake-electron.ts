/**
 * A stand-in for the parts of Electron the main process uses, so tray.ts,
 * notifications.ts and main.ts can be loaded and driven in plain Node (no
 * Electron binary here). Test files map the 'electron' import to this file
 * with module.registerHooks (see useFakeElectron) and inspect `fake`.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs/promises';
import { registerHooks } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';

export interface MenuItemTemplate {
  type?: string;
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  submenu?: MenuItemTemplate[];
  click?: () => void;
}

export class NativeImage {
  readonly representations: { scaleFactor: number; buffer: Buffer }[] = [];
  template = false;
  addRepresentation(options: { scaleFactor: number; buffer: Buffer }): void {
    this.representations.push(options);
  }
  setTemplateImage(template: boolean): void {
    this.template = template;
  }
}

export class Tray extends EventEmitter {
  image: NativeImage;
  tooltip = '';
  menu: MenuItemTemplate[] = [];
  menuBuilds = 0;
  destroyed = false;
  constructor(image: NativeImage) {
    super();
    this.image = image;
    fake.trays.push(this);
  }
  setImage(image: NativeImage): void {
    this.image = image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setContextMenu(menu: { items: MenuItemTemplate[] }): void {
    this.menu = menu.items;
    this.menuBuilds++;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  readonly options: { title: string; body: string; urgency?: string; icon?: unknown };
  shown = false;
  constructor(options: { title: string; body: string; urgency?: string; icon?: unknown }) {
    super();
    this.options = options;
    fake.notifications.push(this);
  }
  show(): void {
    this.shown = true;
  }
}

class WebContents extends EventEmitter {
  setWindowOpenHandler(): void {}
  send(): void {}
  isDestroyed(): boolean {
    return false;
  }
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows(): BrowserWindow[] {
    return fake.windows.filter((w) => !w.destroyed);
  }
  readonly webContents = new WebContents();
  visible = false;
  destroyed = false;
  minimized = false;
  url = '';
  constructor(_options: unknown) {
    super();
    fake.windows.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.url = url;
    setImmediate(() => this.emit('ready-to-show'));
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  /** The user (or quitting) closes the window; true when it really closed. */
  close(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return false;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
    if (!fake.quitting && BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
    return true;
  }
}

class App extends EventEmitter {
  isPackaged = false;
  private readonly paths = new Map<string, string>();
  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
  getPath(name: string): string {
    const value = this.paths.get(name);
    if (!value) throw new Error(`fake app: no path ${name}`);
    return value;
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  getAppPath(): string {
    return '/repo';
  }
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  setLoginItemSettings(): void {}
  /** As Electron: before-quit (preventable), then every window closes (preventable), then the app is gone. */
  quit(): void {
    fake.quitRequests++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    fake.quitting = true;
    for (const w of BrowserWindow.getAllWindows()) {
      if (!w.close()) {
        fake.quitting = false;
        return;
      }
    }
    fake.quit = true;
  }
}

export const app = new App();
export const Menu = { buildFromTemplate: (items: MenuItemTemplate[]) => ({ items }) };
export const nativeImage = { createEmpty: () => new NativeImage() };
export const dialog = {
  showMessageBox: async (options: { message: string; buttons: string[] }) => {
    fake.dialogs.push(options);
    return { response: fake.dialogResponse };
  },
};
export const ipcMain = {
  handle: (channel: string, handler: unknown) => void fake.ipcHandlers.set(channel, handler),
  removeHandler: (channel: string) => void fake.ipcHandlers.delete(channel),
};
export const protocol = { registerSchemesAsPrivileged: () => undefined, handle: () => undefined };
export const session = { defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined } };
export const net = { fetch: async () => new Response('') };
export const shell = { openExternal: async () => undefined };

export const fake = {
  trays: [] as Tray[],
  windows: [] as BrowserWindow[],
  notifications: [] as Notification[],
  dialogs: [] as { message: string; buttons: string[] }[],
  /** The button the quit dialog answers with. */
  dialogResponse: 1,
  ipcHandlers: new Map<string, unknown>(),
  quitRequests: 0,
  quitting: false,
  /** The app has quit for real. */
  quit: false,
};

/** Makes `import … from 'electron'` load this file (for modules imported after the call). */
export function useFakeElectron(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === 'electron') return { url: import.meta.url, shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
}

/** Finds a menu item by label, in submenus too. */
export function menuItem(items: MenuItemTemplate[], label: string | RegExp): MenuItemTemplate | undefined {
  for (const item of items) {
    if (typeof label === 'string' ? item.label === label : label.test(item.label ?? '')) return item;
    const inner = item.submenu && menuItem(item.submenu, label);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Loads main.ts with this fake Electron in a temporary environment: config,
 * schedule state, user data and XDG_CONFIG_HOME under a fresh folder (removed
 * after the tests), no APPIMAGE, and `args` appended to process.argv.
 * Returns the folder.
 */
export async function startMain(label: string, args: string[] = []): Promise<string> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `dvom-electron-${label}-`));
  after(() => fs.rm(tmp, { recursive: true, force: true }));
  process.env.DVOM_CONFIG = path.join(tmp, 'config.json');
  process.env.DVOM_STATE = path.join(tmp, 'schedule-state.json');
  process.env.DVOM_USER_DATA_DIR = path.join(tmp, 'user-data');
  process.env.XDG_CONFIG_HOME = path.join(tmp, 'xdg');
  delete process.env.APPIMAGE;
  process.argv.push(...args);
  useFakeElectron();
  await import('../../src/main/electron/main.ts');
  return tmp;
}

export const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Waits (up to 5 s) for a condition, so a busy machine does not fail the test. */
export async function waitFor(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await settle();
  assert.ok(condition(), what);
}
