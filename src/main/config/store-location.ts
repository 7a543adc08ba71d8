import { homedir } from 'node:os';
import * as path from 'node:path';

/** The per-user data folder holding the default local store. */
export function defaultStoreDir(): string {
  const home = homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'dvom', 'store');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'dvom', 'store');
  return path.join(process.env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'dvom', 'store');
}
