import * as fs from 'node:fs/promises';
import { z } from 'zod';
import { writePrivateFile } from '../platform/private-file.ts';

/**
 * A session the file remembers: the digest of its id (never the id), when it
 * was made, and the keys its tabs bound (what a tab must prove after a restart).
 */
export interface StoredSession {
  digest: string;
  created: number;
  keys: string[];
}

const fileSchema = z.object({
  version: z.literal(1),
  sessions: z
    .array(
      z.object({
        digest: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
        created: z.number().int().nonnegative(),
        keys: z.array(z.string().regex(/^[A-Za-z0-9_-]{43}$/)).max(100),
      }),
    )
    .max(1000),
});

/**
 * Why a session file cannot be trusted, or undefined. It holds the tabs' keys
 * (secrets), and whoever can write it could add a session of their own: it
 * must belong to this user, and nobody else may read or write it.
 */
function untrusted(stat: { mode: number; uid: number }): string | undefined {
  if (process.platform === 'win32') return undefined;
  if (process.getuid && stat.uid !== process.getuid()) return 'it belongs to another user';
  if ((stat.mode & 0o077) !== 0) return `others can read or write it (mode ${(stat.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * Reads the sessions `dvom serve` keeps across restarts (so an open tab
 * reconnects without a new login link). A missing, damaged or untrusted file
 * is an empty list; `warn` says why for the last two.
 */
export async function readSessionFile(file: string, warn: (message: string) => void): Promise<StoredSession[]> {
  let text: string;
  try {
    const handle = await fs.open(file, 'r');
    try {
      const why = untrusted(await handle.stat());
      if (why) {
        warn(`ignoring ${file}: ${why}; browsers need a new login link`);
        return [];
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    warn(`cannot read ${file} (${(err as Error).message}); browsers need a new login link`);
    return [];
  }
  try {
    return fileSchema.parse(JSON.parse(text)).sessions;
  } catch {
    warn(`${file} is damaged; browsers need a new login link`);
    return [];
  }
}

/** Writes the sessions atomically, readable and writable by this user only (it holds the tab keys). */
export async function writeSessionFile(file: string, sessions: readonly StoredSession[]): Promise<void> {
  await writePrivateFile(file, JSON.stringify({ version: 1, sessions }) + '\n');
}
