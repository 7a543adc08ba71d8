/**
 * The Docker engine a version came from (issue 15) is kept in the version's
 * private part only: an unlocked listing reads it, the plaintext never holds
 * it (finding L1's rule: no new plaintext), and a plaintext `engine` member
 * someone adds to a version file is never taken for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backup, folderSource, versionsOf } from '../../src/main/engine/index.ts';
import { assertDvomError, createRepo, tempDir, versionFiles } from './helpers.ts';

const ENGINE = { name: 'nas', host: 'tcp://nas.internal.example:2376' };

function fixture(t: Parameters<typeof tempDir>[0]) {
  const base = tempDir(t, 'version-engine');
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'some data');
  return { src, storeDir: path.join(base, 'store') };
}

test('encrypted: the engine is read back unlocked, and appears nowhere in the plaintext', async (t) => {
  const { src, storeDir } = fixture(t);
  const { store, repo } = await createRepo(storeDir);
  const made = await backup(repo, folderSource(src), { sourceKind: 'volume', volumes: ['pgdata'], engine: ENGINE });
  assert.deepEqual(made.engine, ENGINE);
  assert.deepEqual((await repo.versions())[0]!.engine, ENGINE);
  const file = path.join(storeDir, versionFiles(storeDir)[0]!);
  const text = fs.readFileSync(file, 'utf8');
  assert.equal((JSON.parse(text) as Record<string, unknown>).engine, undefined, 'no plaintext member');
  assert.ok(!text.includes('nas.internal'), 'the endpoint is not in the file as text');
  assert.equal((await versionsOf(store, 'test'))[0]!.engine, undefined, 'a listing without the key does not know it');
});

test('a plaintext engine member added to a version file is ignored without the key, and refused with it', async (t) => {
  const { src, storeDir } = fixture(t);
  const { store, repo } = await createRepo(storeDir);
  await backup(repo, folderSource(src), { sourceKind: 'volume', volumes: ['pgdata'] });
  const file = path.join(storeDir, versionFiles(storeDir)[0]!);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...doc, engine: { name: 'forged', host: 'tcp://attacker.example:2375' } }));
  // Without the key the seal cannot be checked; before, the listing passed every member through, this one included.
  assert.equal((await versionsOf(store, 'test'))[0]!.engine, undefined);
  await assertDvomError(repo.versions(), 'INTEGRITY', /was modified/);
});

test('plain backups record it too; an engine too long to record is left out, the backup still made', async (t) => {
  const { src, storeDir } = fixture(t);
  const { repo } = await createRepo(storeDir, 'test', { encrypted: false });
  await backup(repo, folderSource(src), { sourceKind: 'volume', volumes: ['pgdata'], engine: ENGINE });
  await backup(repo, folderSource(src), { sourceKind: 'volume', volumes: ['pgdata'], engine: { name: 'long', host: `unix:///${'x'.repeat(600)}` } });
  const [first, second] = await repo.versions();
  assert.deepEqual(first!.engine, ENGINE);
  assert.equal(second!.engine, undefined);
});
