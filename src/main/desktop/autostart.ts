import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Launch at login on Linux and other XDG desktops: a desktop entry in
 * $XDG_CONFIG_HOME/autostart (~/.config/autostart by default) that starts the
 * app in the tray. Plain Node, no Electron.
 */

export const AUTOSTART_FILE = 'dvom.desktop';
/** Starts the app in the tray, without a window. */
export const HIDDEN_FLAG = '--hidden';

export interface AutostartLocation {
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The autostart entry's path; XDG_CONFIG_HOME counts only when absolute, as the spec says. */
export function autostartPath(location: AutostartLocation = {}): string {
  const env = location.env ?? process.env;
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(location.home ?? os.homedir(), '.config');
  return path.join(configHome, 'autostart', AUTOSTART_FILE);
}

export interface LaunchCommandOptions {
  /** process.execPath: the app's executable (or the Electron binary in development). */
  execPath: string;
  /** process.env.APPIMAGE: the AppImage file when running from one (execPath then lies in a temporary mount). */
  appImage?: string | undefined;
  /** In development only: the app folder Electron is given as its first argument. */
  appPath?: string | undefined;
}

/** The command that starts the app hidden at login. */
export function launchCommand(options: LaunchCommandOptions): string[] {
  const executable = options.appImage ? options.appImage : options.execPath;
  return [executable, ...(options.appPath ? [options.appPath] : []), HIDDEN_FLAG];
}

/** Characters that force an Exec argument into double quotes (Desktop Entry spec, "The Exec key"). */
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/** One Exec argument: quoted when needed, with "%" doubled so it is not read as a field code. */
export function quoteExecArg(arg: string): string {
  const quoted = arg === '' || RESERVED.test(arg) ? `"${arg.replace(/["`$\\]/g, '\\$&')}"` : arg;
  return quoted.replace(/%/g, '%%');
}

/** A desktop-entry string value: backslashes and control characters escaped (applied after the Exec quoting). */
function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
}

export function execLine(command: string[]): string {
  return `Exec=${escapeValue(command.map(quoteExecArg).join(' '))}`;
}

export function desktopEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=DVOM',
    'Comment=Scheduled encrypted backups of Docker volumes (starts in the tray)',
    execLine(command),
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

async function readEntry(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Lines of the [Desktop Entry] group as key → value (later groups, comments and blank lines ignored). */
function entryKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  let inEntry = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inEntry = line === '[Desktop Entry]';
      continue;
    }
    const eq = line.indexOf('=');
    if (!inEntry || line.startsWith('#') || eq < 0) continue;
    keys.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return keys;
}

/** On when the entry exists and is not switched off (Hidden=true, or GNOME's X-GNOME-Autostart-enabled=false). */
export async function isAutostartEnabled(location: AutostartLocation = {}): Promise<boolean> {
  const text = await readEntry(autostartPath(location));
  if (text === undefined) return false;
  const keys = entryKeys(text);
  return keys.get('Hidden') !== 'true' && keys.get('X-GNOME-Autostart-enabled') !== 'false';
}

/** Writes the entry (atomically: a temporary file renamed over it) or removes it. */
export async function setAutostart(enabled: boolean, command: string[], location: AutostartLocation = {}): Promise<void> {
  const file = autostartPath(location);
  if (!enabled) {
    await fs.rm(file, { force: true });
    return;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, desktopEntry(command));
    await fs.rename(temporary, file);
  } catch (err) {
    await fs.rm(temporary, { force: true });
    throw err;
  }
}

/**
 * When launch at login is on but the entry starts another executable (the
 * AppImage was moved or replaced by an update), points it at this one.
 * Returns whether the entry was rewritten.
 */
export async function refreshAutostart(command: string[], location: AutostartLocation = {}): Promise<boolean> {
  const text = await readEntry(autostartPath(location));
  if (text === undefined || !(await isAutostartEnabled(location))) return false;
  if (text.split(/\r?\n/).some((line) => line.trim() === execLine(command))) return false;
  await setAutostart(true, command, location);
  return true;
}
