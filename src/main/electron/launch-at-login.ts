import type { App } from 'electron';
import { HIDDEN_FLAG, isAutostartEnabled, launchCommand, refreshAutostart, setAutostart, type AutostartLocation } from '../desktop/autostart.ts';

/**
 * Launch at login: an XDG autostart entry on Linux (autostart.ts), the OS's
 * login items elsewhere (app.setLoginItemSettings). Either way the app starts
 * with --hidden: in the tray, without a window. Only Electron types are
 * imported, so this runs in tests with a fake app.
 */

export { HIDDEN_FLAG };

export type LoginApp = Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings' | 'isPackaged' | 'getAppPath'>;

export interface LoginItem {
  isEnabled(): Promise<boolean>;
  setEnabled(enabled: boolean): Promise<void>;
  /** Keeps an enabled entry pointing at this executable (called once at start). */
  refresh(): Promise<void>;
}

export interface LoginItemEnvironment extends AutostartLocation {
  platform?: NodeJS.Platform;
  execPath?: string;
}

export function launchAtLogin(app: LoginApp, environment: LoginItemEnvironment = {}): LoginItem {
  const platform = environment.platform ?? process.platform;
  const env = environment.env ?? process.env;
  const execPath = environment.execPath ?? process.execPath;
  // Unpackaged (development), the executable is Electron itself and needs the app's folder.
  const appPath = app.isPackaged ? undefined : app.getAppPath();

  if (platform === 'darwin') {
    // macOS has no arguments for login items; startedHidden() asks wasOpenedAtLogin instead.
    return {
      isEnabled: async () => app.getLoginItemSettings().openAtLogin,
      setEnabled: async (enabled) => app.setLoginItemSettings({ openAtLogin: enabled }),
      refresh: async () => undefined,
    };
  }
  if (platform === 'win32') {
    // Windows joins the arguments into one command line: a path with spaces needs its quotes.
    const args = [...(appPath ? [`"${appPath}"`] : []), HIDDEN_FLAG];
    return {
      isEnabled: async () => app.getLoginItemSettings({ path: execPath, args }).openAtLogin,
      setEnabled: async (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, path: execPath, args }),
      refresh: async () => undefined,
    };
  }
  const location: AutostartLocation = { env, ...(environment.home ? { home: environment.home } : {}) };
  const command = launchCommand({ execPath, appImage: env.APPIMAGE, appPath });
  return {
    isEnabled: () => isAutostartEnabled(location),
    setEnabled: (enabled) => setAutostart(enabled, command, location),
    refresh: async () => void (await refreshAutostart(command, location)),
  };
}

/** Whether to start in the tray only: --hidden on the command line, or (macOS) opened as a login item. */
export function startedHidden(argv: readonly string[], app?: Pick<App, 'getLoginItemSettings'>, platform: NodeJS.Platform = process.platform): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  if (platform !== 'darwin' || !app) return false;
  try {
    return app.getLoginItemSettings().wasOpenedAtLogin;
  } catch {
    return false;
  }
}
