import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forgetKeks, rememberedKek } from './kek-cache.ts';

test('a KEK is derived once per password and KDF parameters; anything else derives again', async () => {
  forgetKeks();
  let derived = 0;
  const derive = (tag: string) => async () => {
    derived++;
    return Buffer.from(`kek-${tag}`);
  };
  const kdf = { type: 'argon2id', salt: 'c2FsdA==', memoryKiB: 32768, passes: 4, parallelism: 1 };
  assert.equal((await rememberedKek(Buffer.from('pw'), kdf, derive('a'))).toString(), 'kek-a');
  assert.equal((await rememberedKek(Buffer.from('pw'), { ...kdf }, derive('x'))).toString(), 'kek-a', 'same password and parameters: remembered');
  assert.equal(derived, 1);
  assert.equal((await rememberedKek(Buffer.from('other'), kdf, derive('b'))).toString(), 'kek-b', 'another password');
  assert.equal((await rememberedKek(Buffer.from('pw'), { ...kdf, salt: 'b3RoZXI=' }, derive('c'))).toString(), 'kek-c', 'another salt');
  assert.equal(derived, 3);
  // A caller that scrubs the buffer it got does not damage what is remembered.
  (await rememberedKek(Buffer.from('pw'), kdf, derive('y'))).fill(0);
  assert.equal((await rememberedKek(Buffer.from('pw'), kdf, derive('y'))).toString(), 'kek-a');
});

test('at most 32 keys are remembered, the least recently used go first', async () => {
  forgetKeks();
  let derived = 0;
  const derive = async () => {
    derived++;
    return Buffer.alloc(32, derived);
  };
  const kdf = (i: number) => ({ type: 'scrypt', salt: String(i), N: 1024, r: 8, p: 1 });
  for (let i = 0; i < 33; i++) await rememberedKek(Buffer.from('pw'), kdf(i), derive);
  assert.equal(derived, 33);
  await rememberedKek(Buffer.from('pw'), kdf(32), derive);
  assert.equal(derived, 33, 'the newest is still there');
  await rememberedKek(Buffer.from('pw'), kdf(0), derive);
  assert.equal(derived, 34, 'the oldest was evicted');
});
