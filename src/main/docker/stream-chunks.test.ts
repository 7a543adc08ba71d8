import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { streamChunks } from './stream-chunks.ts';

const mapped = (err: Error) => new Error(`mapped: ${err.message}`);
const early = () => new Error('closed early');

test('chunks come through one by one as written, never merged into copies, however many wait', async () => {
  const stream = new PassThrough();
  const written = [...Array(50)].map((_, i) => Buffer.alloc(100_000 + i, i));
  for (const chunk of written) stream.write(chunk);
  stream.end();
  const got: Buffer[] = [];
  for await (const chunk of streamChunks(stream, mapped, early)) got.push(chunk);
  assert.equal(got.length, written.length);
  got.forEach((chunk, i) => assert.ok(chunk.equals(written[i]!), `chunk ${i}`));
});

test('a stream far ahead of its consumer is paused, and resumed once the consumer catches up', async () => {
  const stream = new PassThrough({ highWaterMark: 1024 });
  const iterator = streamChunks(stream, mapped, early)[Symbol.asyncIterator]();
  let first = iterator.next();
  for (let i = 0; i < 80; i++) stream.write(Buffer.alloc(64 * 1024)); // 5 MiB: past the 4 MiB bound
  await first;
  assert.equal(stream.isPaused(), true, 'paused while 4 MiB wait');
  let n = 1;
  while (stream.isPaused()) {
    first = iterator.next();
    await first;
    n++;
  }
  assert.ok(n >= 32, `resumed only once less than half of the 4 MiB waits (${n} of 64 chunks taken)`);
  stream.end();
  while (!(await iterator.next()).done);
});

test('errors reach the consumer as mapped; a stream closed before its end fails; stopping early destroys the stream', async () => {
  const failing = new PassThrough();
  failing.write(Buffer.from('a'));
  setImmediate(() => failing.destroy(new Error('socket hang up')));
  await assert.rejects(async () => {
    for await (const _ of streamChunks(failing, mapped, early)) void _;
  }, /mapped: socket hang up/);

  const cut = new PassThrough();
  setImmediate(() => cut.destroy());
  await assert.rejects(async () => {
    for await (const _ of streamChunks(cut, mapped, early)) void _;
  }, /closed early/);

  const left = new PassThrough();
  left.write(Buffer.from('first'));
  for await (const chunk of streamChunks(left, mapped, early)) {
    assert.equal(chunk.toString(), 'first');
    break;
  }
  assert.equal(left.destroyed, true);
});
