// Password keys: Argon2id for new keys, scrypt keys still open, and KDF
// parameters from the store are bounded (a hostile store must not make an
// unlock allocate gigabytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DEFAULT_SCRYPT, parseKeyFile, unwrapMasterKey, validateScryptParams, wrapMasterKey } from '../../src/main/engine/crypto/key-file.ts';
import { CHEAP_SCRYPT, assertDvomError, password } from './helpers.ts';

const REPO_ID = 'a'.repeat(32);

test('new password keys use Argon2id (19 MiB, 40 passes, a lane per core up to 4) and open with the password only', async () => {
  const master = randomBytes(32);
  const file = await wrapMasterKey(master, password(), REPO_ID, { label: 'new' });
  assert.deepEqual(
    { type: file.kdf.type, ...('memoryKiB' in file.kdf ? { m: file.kdf.memoryKiB, t: file.kdf.passes, p: file.kdf.parallelism } : {}) },
    { type: 'argon2id', m: 19 * 1024, t: 40, p: Math.min(4, availableParallelism()) },
  );
  const parsed = parseKeyFile(Buffer.from(JSON.stringify(file)), 'new');
  assert.deepEqual(await unwrapMasterKey(parsed, password(), REPO_ID), master);
  assert.equal(await unwrapMasterKey(parsed, password('wrong'), REPO_ID), undefined);
  // The parameters are bound to the wrapped key: a weakened copy does not open.
  const weakened = { ...parsed, kdf: { ...parsed.kdf, passes: 3 } };
  assert.equal(await unwrapMasterKey(weakened, password(), REPO_ID), undefined);
  // A reformatted file (members sorted, as `jq -S` writes them) still opens.
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)]))
      : v;
  const reformatted = parseKeyFile(Buffer.from(JSON.stringify(sorted(file))), 'new');
  assert.deepEqual(await unwrapMasterKey(reformatted, password(), REPO_ID), master);
});

test('Argon2id keys made with the earlier default (32 MiB, 4 passes) still open', async () => {
  // Written by the code before the default changed (master key: 32 bytes of 7).
  const file = parseKeyFile(Buffer.from(JSON.stringify({
    format: 1, id: 'f4104409733abe91', createdAt: '2026-12-06T12:06:20.075Z', label: 'old default',
    kdf: { type: 'argon2id', memoryKiB: 32768, passes: 4, parallelism: 1, salt: 'xr0uYKQZV0qhXBPaIlrXvKXkoICImRD/Q3xRv3E+HtI=' },
    wrapped: 'UTLPAiaGVeuvqUksozeTTNI7C485ipxloLToO+qL6Djg3geOE839/OiaiLzATjkI9JLL/ykek65iSjFU',
  })), 'old default');
  assert.deepEqual(await unwrapMasterKey(file, password('made before 0.2'), REPO_ID), Buffer.alloc(32, 7));
  assert.equal(await unwrapMasterKey(file, password('wrong'), REPO_ID), undefined);
});

test('scrypt keys of earlier versions still open', async () => {
  const master = randomBytes(32);
  const file = await wrapMasterKey(master, password(), REPO_ID, { label: 'old', scrypt: CHEAP_SCRYPT });
  assert.equal(file.kdf.type, 'scrypt');
  assert.deepEqual(await unwrapMasterKey(parseKeyFile(Buffer.from(JSON.stringify(file)), 'old'), password(), REPO_ID), master);
});

test('Argon2id parameters beyond fixed bounds or below OWASP\'s minimum are refused before any work', async () => {
  const file = await wrapMasterKey(randomBytes(32), password(), REPO_ID, { label: 'x' });
  for (const kdf of [
    { memoryKiB: 64 * 1024 * 1024 }, // 64 GiB
    { passes: 1_000_000 },
    { parallelism: 1024 },
    { memoryKiB: 0 },
    { memoryKiB: 19 * 1024 - 1 }, // below OWASP's 19 MiB
    { passes: 1 },
  ]) {
    const hostile = { ...file, kdf: { ...file.kdf, ...kdf } };
    await assertDvomError(unwrapMasterKey(hostile, password(), REPO_ID), 'INTEGRITY');
  }
});

test('scrypt parameters beyond fixed caps or below the floor are refused before any work, naming the key', async () => {
  const file = await wrapMasterKey(randomBytes(32), password(), REPO_ID, { label: 'x', scrypt: CHEAP_SCRYPT });
  const cases: [Record<string, number>, RegExp][] = [
    [{ N: 2 ** 24, r: 64, p: 16 }, /exceed the caps/], // 128 GiB
    [{ N: 2 ** 21, r: 8, p: 1 }, /exceed the caps/],
    [{ N: 2 ** 20, r: 16, p: 1 }, /memory or work limit/], // 2 GiB
    [{ N: 2 ** 20, r: 8, p: 16 }, /memory or work limit/], // 1 GiB of memory, 16 GiB of work
    [{ N: 2 ** 9, r: 8, p: 1 }, /below the floor/],
    [{ N: 2 ** 12, r: 1, p: 1 }, /below the floor/], // 512 KiB
    [{ N: 1000, r: 8, p: 1 }, /invalid/],
  ];
  for (const [params, message] of cases) {
    const hostile = { ...file, kdf: { ...file.kdf, ...params } };
    const err = await assertDvomError(unwrapMasterKey(hostile, password(), REPO_ID), 'INTEGRITY', message);
    assert.match(err.message, new RegExp(`^key ${file.id}: scrypt parameters`));
  }
  // The default and the tests' cheap setting are inside the bounds; new keys below the floor are not made.
  validateScryptParams(DEFAULT_SCRYPT);
  validateScryptParams(CHEAP_SCRYPT);
  await assertDvomError(wrapMasterKey(randomBytes(32), password(), REPO_ID, { label: 'weak', scrypt: { N: 2 ** 4, r: 8, p: 1 } }), 'INTEGRITY', /below the floor/);
});
