/**
 * --exclude patterns are recorded, encrypted, in the version file, whose size
 * is bounded on reading: a list too long to record is refused before the
 * backup starts, instead of committing a version every later read refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backup, folderSource } from '../../src/main/engine/index.ts';
import { assertDvomError, createRepo, tempDir, versionFiles } from './helpers.ts';

test('too many --exclude patterns to record are refused before anything is written; the backup stays usable', async (t) => {
  const base = tempDir(t, 'exclusions');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'keep.txt'), 'kept');
  const storeDir = path.join(base, 'store');
  const { repo } = await createRepo(storeDir);
  const many = Array.from({ length: 12_000 }, (_, i) => `/generated/path-number-${i}`);
  await assertDvomError(backup(repo, folderSource(src), { sourceKind: 'path', exclusions: many }), 'USAGE', /too many --exclude patterns/);
  assert.deepEqual(versionFiles(storeDir), []);
  // A list that fits is recorded and read back; the backup's versions all still read.
  const some = many.slice(0, 1000);
  const v = await backup(repo, folderSource(src), { sourceKind: 'path', exclusions: some });
  assert.deepEqual(repo.versionExclusions((await repo.versions()).find((x) => x.id === v.id)!), some);
});
