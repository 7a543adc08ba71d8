/**
 * `dvom unlock`: removes the stale locks a crashed process left; a live lock
 * stays (exit 1, the way out named) unless --force, which warns.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { listFiles, removeAll, runDvom, runOk, tempDir } from './run-dvom.ts';

const dirs: string[] = [];
after(() => removeAll(...dirs));

async function writeLock(locksDir: string, refreshedAt: string): Promise<string> {
  const name = `${randomBytes(8).toString('hex')}.json`;
  const doc = { host: 'other-host', pid: 4242, operation: 'backup', exclusive: true, createdAt: refreshedAt, refreshedAt };
  await fs.writeFile(path.join(locksDir, name), JSON.stringify(doc));
  return name;
}

test('dvom unlock removes stale locks, keeps a live one without --force, removes it with --force and a warning', async () => {
  const store = await tempDir('unlock-store');
  const src = await tempDir('unlock-src');
  dirs.push(store, src);
  await fs.writeFile(path.join(src, 'a.txt'), 'unlock me\n');
  await runOk(['backup', `--path=${src}`, '--name=locky', '-q'], { store });
  const locksDir = path.join(store, 'backups', 'locky', 'locks');
  await fs.mkdir(locksDir, { recursive: true });
  const stale = await writeLock(locksDir, new Date(Date.now() - 3600_000).toISOString());
  const live = await writeLock(locksDir, new Date().toISOString());

  const first = await runDvom(['unlock', 'locky'], { store });
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /Removed stale lock of 'backup' on other-host \(pid 4242/);
  assert.match(first.stderr, /still locked by 'backup' on other-host .*dvom unlock locky --force/);
  assert.deepEqual(await listFiles(locksDir), [live], 'only the stale lock went');
  assert.ok(!(await listFiles(locksDir)).includes(stale));
  const blocked = await runDvom(['backup', `--path=${src}`, '--name=locky', '-q'], { store });
  assert.equal(blocked.code, 1);
  assert.match(blocked.stderr, /in use by 'backup' on other-host/);

  const forced = await runOk(['unlock', 'locky', '--force'], { store });
  assert.match(forced.stderr, /^Warning: removed the live lock of 'backup' on other-host/m);
  assert.match(forced.stdout, /^Backup 'locky': 1 lock\(s\) removed$/m);
  assert.deepEqual(await listFiles(locksDir), []);

  const again = await runOk(['unlock', 'locky'], { store });
  assert.match(again.stdout, /^Backup 'locky' is not locked$/m);
  await runOk(['backup', `--path=${src}`, '--name=locky', '-q'], { store });

  const missing = await runDvom(['unlock', 'nosuch'], { store });
  assert.equal(missing.code, 4, missing.stderr);
});
