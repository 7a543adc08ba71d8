/**
 * The before/after bookkeeping the browser tests share: environment
 * variables a test file changes are put back, and its browser, server and
 * temporary folder are closed and removed.
 */
import * as fs from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import type { startServer } from './browser.ts';

/** Remembers these environment variables now; the returned function puts them back as they were. */
export function saveEnv(keys: readonly string[]): () => void {
  const saved = new Map(keys.map((key) => [key, process.env[key]]));
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** Closes what a test file's before() started (whatever got that far), then removes its temporary folder. */
export async function closeAll(started: { browser?: Browser; served?: Awaited<ReturnType<typeof startServer>>; tmp: string }): Promise<void> {
  await started.browser?.close();
  await started.served?.stop();
  if (started.tmp) await fs.rm(started.tmp, { recursive: true, force: true });
}
