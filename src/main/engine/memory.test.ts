import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isOwned, markOwned, movableSole, release, releaseOwned } from './memory.ts';
import { DecryptingDecoder, EncryptingEncoder, decodeAll } from './crypto/object-cipher.ts';

test('release frees a buffer of its own at once, and leaves pooled small buffers to the collector', () => {
  const big = Buffer.allocUnsafeSlow(256 * 1024);
  release(big);
  assert.equal(big.buffer.byteLength, 0, 'the memory is gone');
  assert.equal(big.length, 0);

  const small = Buffer.from('pooled'); // a slice of Node's shared pool
  const neighbour = Buffer.from('neighbour');
  release(small);
  assert.equal(small.toString(), 'pooled');
  assert.equal(neighbour.toString(), 'neighbour');
  release(big); // twice: nothing happens
});

test('an encrypting encoder keeps none of its input: inputs freed right after update() still decode to the original', () => {
  const key = randomBytes(32);
  const pieces = [5, 70_000, 1, 65_536, 200_000, 3, 40_000].map((n) => randomBytes(n));
  const original = Buffer.concat(pieces);
  const encoder = new EncryptingEncoder(key, 'packs/ab/test');
  assert.equal(encoder.keepsInput, false);
  const parts: Buffer[] = [];
  for (const piece of pieces) {
    const copy = Buffer.allocUnsafeSlow(Math.max(piece.length, 64 * 1024)).subarray(0, piece.length);
    piece.copy(copy);
    parts.push(...encoder.update(copy).map((p) => Buffer.from(p)));
    release(copy);
  }
  parts.push(...encoder.final().map((p) => Buffer.from(p)));
  const decoded = decodeAll(new DecryptingDecoder(key, 'packs/ab/test'), Buffer.concat(parts));
  assert.ok(decoded.equals(original));
});

test('only memory marked as owned is freed by releaseOwned; short buffers from the shared pool are never marked', () => {
  const mine = markOwned(Buffer.allocUnsafeSlow(128 * 1024));
  const other = Buffer.allocUnsafeSlow(128 * 1024).fill(7);
  assert.equal(isOwned(mine), true);
  assert.equal(releaseOwned(other), false);
  assert.equal(other[0], 7, 'an unmarked buffer keeps its bytes');
  assert.equal(releaseOwned(mine), true);
  assert.equal(mine.length, 0, 'a marked one is freed');

  const pooled = markOwned(Buffer.from('a slice of the shared pool'));
  const neighbour = Buffer.from('its neighbour');
  assert.equal(isOwned(pooled), false);
  assert.equal(isOwned(neighbour), false);
  assert.equal(releaseOwned(pooled), false);
  assert.equal(neighbour.toString(), 'its neighbour');
});

test('movableSole moves a large view with all its memory, and copies a short one (it may be cut from the shared pool)', () => {
  const large = Buffer.allocUnsafeSlow(64 * 1024 + 1).subarray(0, 64 * 1024);
  assert.equal(movableSole(large), large, 'moved as it is, with the byte beyond it');
  const pooled = Buffer.from('a short blob');
  assert.notEqual(pooled.buffer.byteLength, pooled.length, 'cut from the pool');
  const moved = movableSole(pooled);
  assert.notEqual(moved.buffer, pooled.buffer);
  assert.equal(moved.byteLength, moved.buffer.byteLength, 'a copy of its own');
  assert.ok(Buffer.from(moved).equals(pooled));
});
