// The tray icon and its menu: a thin adapter. The menu template, icon choice
// and actions are plain modules (desktop/tray-menu.ts, tray-state.ts), tested
// without Electron; this only turns them into a native Tray and Menu.
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DvomApp } from '../app/dvom-app.ts';
import { TRAY_MENU_PROBE, buildTrayMenu, trayIcon, trayIconFiles, trayTooltip, type TrayAction, type TrayIconKind, type TrayMenuItem, type TrayState } from '../desktop/tray-menu.ts';
import { TrayStateSource, callApi, performTrayAction, trayActionFailure, type DispatcherLike } from '../desktop/tray-state.ts';
import type { LoginItem } from './launch-at-login.ts';

/** assets/tray beside dist/ (inside app.asar when packaged, which Electron's fs reads). */
const TRAY_ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'assets', 'tray');

/** An icon with its sizes; macOS gets template images, which the menu bar recolours for light and dark. */
export function trayImage(kind: TrayIconKind, platform: NodeJS.Platform = process.platform): NativeImage {
  const { files, template } = trayIconFiles(kind, platform);
  const image = nativeImage.createEmpty();
  for (const { file, scaleFactor } of files) image.addRepresentation({ scaleFactor, buffer: readFileSync(path.join(TRAY_ASSETS, file)) });
  if (template) image.setTemplateImage(true);
  return image;
}

function toNativeTemplate(items: TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    const action = item.action;
    return {
      type: item.type,
      label: item.label,
      enabled: item.enabled,
      ...(item.checked === undefined ? {} : { checked: item.checked }),
      ...(item.submenu ? { submenu: toNativeTemplate(item.submenu, onAction) } : {}),
      ...(action ? { click: () => onAction(action) } : {}),
    };
  });
}

export interface TrayOptions {
  dvom: Pick<DvomApp, 'jobs' | 'events' | 'scheduler'>;
  dispatcher: DispatcherLike;
  loginItem: LoginItem;
  openWindow(): void;
  quit(): void;
  /** Tells the user about a menu action that failed. */
  notify(notice: { title: string; body: string; failed: boolean }): void;
}

export interface TrayHandle {
  refresh(): Promise<void>;
  destroy(): void;
}

/** Held here for the app's lifetime: a Tray nothing references is garbage-collected and disappears. */
let tray: Tray | undefined;

/** The labels of the menu shown, for the Electron e2e test (see TRAY_MENU_PROBE). */
const probe = globalThis as Record<string, unknown>;

/**
 * Creates the tray; call after app.whenReady() (Linux needs the app ready for
 * a status icon). Undefined when no tray could be made: the window then stays
 * the only way in, and closing it quits.
 */
export function startTray(options: TrayOptions): TrayHandle | undefined {
  let icon: Tray;
  try {
    icon = new Tray(trayImage('idle'));
  } catch (err) {
    console.error('DVOM: no tray icon:', err);
    return undefined;
  }
  tray = icon;
  icon.setToolTip('DVOM');
  // Windows opens the app on a left click; Linux and macOS show the menu.
  if (process.platform === 'win32') icon.on('click', () => options.openWindow());

  let shown = { icon: 'idle' as TrayIconKind, tooltip: '', menu: '' };
  const onAction = (action: TrayAction): void => {
    performTrayAction(action, {
      dispatcher: options.dispatcher,
      setLaunchAtLogin: (enabled) => options.loginItem.setEnabled(enabled),
      openWindow: options.openWindow,
      quit: options.quit,
    })
      .catch((err: unknown) => options.notify({ title: trayActionFailure(action), body: err instanceof Error ? err.message : String(err), failed: true }))
      .finally(() => void source.refresh());
  };

  const source = new TrayStateSource({
    listSchedules: () => callApi(options.dispatcher, 'schedules.list', {}),
    runningJobs: () => options.dvom.jobs.running(),
    subscribe: (listener) => options.dvom.events.subscribe(listener),
    launchAtLogin: () => options.loginItem.isEnabled(),
    schedulerState: () => options.dvom.scheduler.state(),
    onError: (err) => console.error('tray update failed:', err),
    onChange: (state) => render(state),
  });
  const render = (state: TrayState): void => {
    if (icon.isDestroyed()) return;
    const next = { icon: trayIcon(state), tooltip: trayTooltip(state), menu: buildTrayMenu(state) };
    const menuKey = JSON.stringify(next.menu);
    if (next.icon !== shown.icon) icon.setImage(trayImage(next.icon));
    if (next.tooltip !== shown.tooltip) icon.setToolTip(next.tooltip);
    // Rebuilt only when it changed: on Linux a new menu closes one that is open.
    if (menuKey !== shown.menu) {
      icon.setContextMenu(Menu.buildFromTemplate(toNativeTemplate(next.menu, onAction)));
      probe[TRAY_MENU_PROBE] = next.menu.filter((item) => item.type !== 'separator').map((item) => item.label);
    }
    shown = { icon: next.icon, tooltip: next.tooltip, menu: menuKey };
  };
  // "today"/"tomorrow" move on at midnight: redraw from the last state each minute (no re-read).
  const clock = setInterval(() => {
    try {
      render(source.current());
    } catch (err) {
      console.error('tray update failed:', err);
    }
  }, 60_000);
  clock.unref?.();
  const unwatchScheduler = options.dvom.scheduler.onStateChange(() => void source.refresh());
  void options.loginItem.refresh().catch(() => undefined);
  void source.start();

  return {
    refresh: () => source.refresh(),
    destroy: () => {
      clearInterval(clock);
      unwatchScheduler();
      source.stop();
      if (!icon.isDestroyed()) icon.destroy();
      if (tray === icon) tray = undefined;
      delete probe[TRAY_MENU_PROBE];
    },
  };
}
