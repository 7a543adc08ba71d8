import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Opens `url` in the default browser without putting it on a command line
 * (other users can read those): the opener gets a private file that sends
 * the browser on. Returns a cleanup that removes the file.
 */
export async function openBrowser(url: string): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-open-'));
  const file = path.join(dir, 'open-dvom.html');
  const href = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  await fs.writeFile(
    file,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>DVOM</title><a href="${href}">Open DVOM</a>\n`,
    { mode: 0o600 },
  );
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(command, [file], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
  return () => fs.rm(dir, { recursive: true, force: true });
}
