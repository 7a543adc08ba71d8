/**
 * firstBackupOrUndo (services/new-backup.ts), the one path the app's jobs,
 * the CLI and schedules share: a failed first backup removes only the backup
 * its own run created, and only while it has no version.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readKnownBackup } from '../../src/main/config/known-backups.ts';
import { backup, folderSource } from '../../src/main/engine/index.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { createOrOpenBackup } from '../../src/main/services/create-or-open.ts';
import { firstBackupOrUndo } from '../../src/main/services/new-backup.ts';
import { existingRepoConfig } from '../../src/main/services/open-backup.ts';
import { tempDir } from '../engine/helpers.ts';
import { isolateEnvironment } from './transports.ts';

isolateEnvironment();

const plain = {
  encrypt: false,
  finder: async () => undefined,
  newCredential: () => Promise.reject(new Error('not asked')),
  warn: () => {},
} as unknown as Parameters<typeof createOrOpenBackup>[2];

test('a failed first backup removes only the backup its run created, and only while it has no version', async (t) => {
  const dir = tempDir(t, 'new-backup');
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'hello');
  const store = new LocalBackend(path.join(dir, 'store'));
  const boom = new Error('the volume went away');
  const warnings: string[] = [];
  const options = { warn: (w: string) => warnings.push(w) };

  // Created by this run, failed before any version: gone, with this machine's record; the name works again.
  const first = await createOrOpenBackup(store, 'b', plain);
  assert.equal(first.created, true);
  assert.ok(await readKnownBackup(store.location, 'b'));
  await assert.rejects(firstBackupOrUndo(store, first.repo, first.created, () => Promise.reject(boom), options), boom);
  assert.equal(await existingRepoConfig(store, 'b'), undefined);
  assert.equal(await readKnownBackup(store.location, 'b'), undefined);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'store', 'backups')), []);

  // Created by this run, failed after its version was saved (say, while applying retention): kept.
  const again = await createOrOpenBackup(store, 'b', plain);
  assert.equal(again.created, true, 'not refused as a vanished backup');
  const after = firstBackupOrUndo(store, again.repo, again.created, async () => {
    await backup(again.repo, folderSource(src), { sourceKind: 'path', sourcePath: src });
    throw boom;
  }, options);
  await assert.rejects(after, boom);
  assert.equal((await again.repo.versions()).length, 1);

  // Opened, not created: a failure removes nothing, even with no version yet.
  fs.rmSync(path.join(dir, 'store', 'backups', 'b', 'versions'), { recursive: true });
  const opened = await createOrOpenBackup(store, 'b', plain);
  assert.equal(opened.created, false);
  await assert.rejects(firstBackupOrUndo(store, opened.repo, opened.created, () => Promise.reject(boom), options), boom);
  assert.ok(await existingRepoConfig(store, 'b'));
  assert.deepEqual(warnings, []);
});
