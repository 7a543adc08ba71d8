import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAhead } from './read-ahead.ts';

/** A source that counts how far it was pulled and whether it was closed. */
function counted(n: number, failAt?: number) {
  const state = { pulled: 0, closed: false };
  async function* source() {
    try {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new Error(`source failed at ${i}`);
        state.pulled++;
        yield i;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, source: source() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

test('read-ahead starts at once, stops at its bound, and yields everything in order', async () => {
  const { state, source } = counted(100);
  const ahead = readAhead(source, 10);
  await settle();
  assert.equal(state.pulled, 10, 'pulled up to the bound before anyone asked');
  const seen: number[] = [];
  for await (const v of ahead) seen.push(v);
  assert.deepEqual(seen, [...Array(100).keys()]);
  assert.equal(state.closed, true);
});

test('a failure of the source comes after the entries before it', async () => {
  const { source } = counted(50, 30);
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const v of readAhead(source, 8)) seen.push(v);
  }, /source failed at 30/);
  assert.deepEqual(seen, [...Array(30).keys()]);
});

test('return() stops the walk and closes the source, also before the first entry was taken', async () => {
  const early = counted(1000);
  const ahead = readAhead(early.source, 5);
  await ahead.return(undefined);
  await settle();
  assert.equal(early.state.closed, true);
  assert.ok(early.state.pulled <= 5, `pulled ${early.state.pulled}`);

  const midway = counted(1000);
  for await (const v of readAhead(midway.source, 5)) if (v === 20) break;
  await settle();
  assert.equal(midway.state.closed, true);
  assert.ok(midway.state.pulled <= 26, `pulled ${midway.state.pulled}`);
});

test('once the consumer has begun, the walk stays only the steady bound ahead', async () => {
  const { state, source } = counted(1000);
  const ahead = readAhead(source, 100, 5);
  await settle();
  assert.equal(state.pulled, 100, 'the whole bound before the first entry is taken');
  const seen: number[] = [];
  for await (const v of ahead) {
    seen.push(v);
    if (v === 149) {
      await settle();
      // 150 taken: the 100 held first ran out, and after them at most 5 were walked ahead.
      assert.ok(state.pulled <= 150 + 5, `pulled ${state.pulled}`);
      assert.ok(state.pulled >= 150 + 4, `pulled ${state.pulled}: it still reads ahead`);
    }
  }
  assert.deepEqual(seen, [...Array(1000).keys()]);
});
