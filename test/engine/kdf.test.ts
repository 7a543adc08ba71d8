// Password keys: Argon2id for new keys, scrypt keys still open, and KDF
// parameters from the store are bounded (a hostile store must not make an
// unlock allocate gigabytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DEFAULT_ARGON2, parseKeyFile, unwrapMasterKey, wrapMasterKey } from '../../src/main/engine/crypto/key-file.ts';
import { CHEAP_SCRYPT, assertDvomError, password } from './helpers.ts';

const REPO_ID = 'a'.repeat(32);

test('new password keys use Argon2id (32 MiB, 4 passes) and open with the password only', async () => {
  const master = randomBytes(32);
  const file = await wrapMasterKey(master, password(), REPO_ID, { label: 'new' });
  assert.deepEqual(
    { type: file.kdf.type, ...('memoryKiB' in file.kdf ? { m: file.kdf.memoryKiB, t: file.kdf.passes, p: file.kdf.parallelism } : {}) },
    { type: 'argon2id', m: 32 * 1024, t: 4, p: 1 },
  );
  assert.deepEqual(DEFAULT_ARGON2, { memoryKiB: 32 * 1024, passes: 4, parallelism: 1 });
  const parsed = parseKeyFile(Buffer.from(JSON.stringify(file)), 'new');
  assert.deepEqual(await unwrapMasterKey(parsed, password(), REPO_ID), master);
  assert.equal(await unwrapMasterKey(parsed, password('wrong'), REPO_ID), undefined);
  // The parameters are bound to the wrapped key: a weakened copy does not open.
  const weakened = { ...parsed, kdf: { ...parsed.kdf, passes: 1 } };
  assert.equal(await unwrapMasterKey(weakened, password(), REPO_ID), undefined);
});

test('scrypt keys of earlier versions still open', async () => {
  const master = randomBytes(32);
  const file = await wrapMasterKey(master, password(), REPO_ID, { label: 'old', scrypt: CHEAP_SCRYPT });
  assert.equal(file.kdf.type, 'scrypt');
  assert.deepEqual(await unwrapMasterKey(parseKeyFile(Buffer.from(JSON.stringify(file)), 'old'), password(), REPO_ID), master);
});

test('Argon2id parameters beyond fixed bounds are refused before any work', async () => {
  const file = await wrapMasterKey(randomBytes(32), password(), REPO_ID, { label: 'x' });
  for (const kdf of [
    { memoryKiB: 64 * 1024 * 1024 }, // 64 GiB
    { passes: 1_000_000 },
    { parallelism: 1024 },
    { memoryKiB: 0 },
  ]) {
    const hostile = { ...file, kdf: { ...file.kdf, ...kdf } };
    await assertDvomError(unwrapMasterKey(hostile, password(), REPO_ID), 'INTEGRITY');
  }
});
