import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Repository } from '../../src/main/engine/index.ts';
import { changeCredential, rememberedPassword, rememberPassword } from '../../src/main/services/passwords.ts';
import { assertDvomError, createRepo, password, tempDir } from '../engine/helpers.ts';
import { isolateEnvironment, MemorySecretStore } from './transports.ts';

const envDir = isolateEnvironment();

test("a password change replaces the remembered password even when this machine's record of the backup cannot be written", async (t) => {
  const { store, repo } = await createRepo(tempDir(t, 'pwchange'), 'vault');
  const secrets = new MemorySecretStore();
  await rememberPassword(secrets, store, 'vault', 'correct horse battery staple');
  // The records' folder leads nowhere: reading finds no record, writing one fails.
  fs.symlinkSync('/proc/self/no-such-folder', path.join(envDir, 'known-backups'));
  t.after(() => fs.rmSync(path.join(envDir, 'known-backups'), { force: true }));

  await assertDvomError(changeCredential(repo, password('the new one'), { secrets, store, warn: () => {} }), 'ERROR', /cannot remember backup 'vault'/);
  assert.equal(await rememberedPassword(secrets, store, 'vault'), 'the new one');
  await Repository.open(store, 'vault', password('the new one'));
});
