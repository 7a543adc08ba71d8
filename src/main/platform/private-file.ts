import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Writes a file atomically (a temporary file renamed over it), readable by its
 * owner only, in a folder created for the owner only if missing. The config,
 * the schedule state and the scheduler's host lock are written this way.
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temp, text, { mode: 0o600, flag: 'wx' });
  try {
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}
