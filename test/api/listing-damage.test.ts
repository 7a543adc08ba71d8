/**
 * One backup that fails its checks (here: this machine's record of it is
 * damaged) is listed as damaged; the other backups still list.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createBackupHandlers } from '../../src/main/app/backup-handlers.ts';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { knownBackupFile } from '../../src/main/config/known-backups.ts';
import { backup, folderSource } from '../../src/main/engine/index.ts';
import { createRepo, tempDir } from '../engine/helpers.ts';
import { isolateEnvironment, MemorySecretStore } from './transports.ts';

isolateEnvironment();

test('backups.list lists the other backups when this machine\'s record of one is damaged, and marks that one damaged', async (t) => {
  const backupDir = tempDir(t, 'list-damage');
  const src = tempDir(t, 'list-damage-src');
  fs.writeFileSync(path.join(src, 'a.txt'), 'hello');
  for (const name of ['good', 'bad']) {
    const { repo } = await createRepo(backupDir, name, { encrypted: false });
    await backup(repo, folderSource(src), { sourceKind: 'path', sourcePath: src });
  }
  const app = new DvomApp({ secrets: new MemorySecretStore(), storeSelection: { backupDir } });
  const record = knownBackupFile((await app.store()).location, 'bad');
  fs.mkdirSync(path.dirname(record), { recursive: true });
  fs.writeFileSync(record, '{ damaged');

  const list = await createBackupHandlers(app)['backups.list']({});
  const byName = new Map(list.map((b) => [b.name, b]));
  assert.equal(byName.get('good')?.damaged, null);
  assert.equal(byName.get('good')?.versions, 1);
  assert.match(byName.get('bad')?.damaged ?? '', /is damaged; remove it/);
});
