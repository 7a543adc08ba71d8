import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { markOwned } from '../engine/memory.ts';
import { ArchiveBody } from './volume-archive.ts';

test('an archive body frees each owned chunk once its destination wrote it, and nothing else; the bytes arrive whole', async () => {
  const received: Buffer[] = [];
  // A slow destination, as a request whose socket is behind: chunks wait in its buffer.
  const dest = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      received.push(Buffer.from(chunk)); // a chunk freed too early arrives empty here
      setTimeout(done, 1);
    },
  });
  const body = new ArchiveBody({ highWaterMark: 256 * 1024 });
  body.pipe(dest);
  const owned: Buffer[] = [];
  const shared: Buffer[] = [];
  const expected: Buffer[] = [];
  for (let i = 0; i < 24; i++) {
    const mine = markOwned(randomBytes(100_000 + i));
    const header = Buffer.from(randomBytes(512));
    owned.push(mine);
    shared.push(header);
    expected.push(Buffer.from(mine), Buffer.from(header));
    if (!body.write(mine)) await once(body, 'drain');
    if (!body.write(header)) await once(body, 'drain');
  }
  body.end();
  await finished(dest);
  assert.ok(Buffer.concat(received).equals(Buffer.concat(expected)), 'every byte arrived, in order');
  assert.deepEqual(owned.map((c) => c.length), owned.map(() => 0), 'every owned chunk was freed');
  assert.ok(shared.every((c) => c.length === 512), 'chunks that are not memory of their own are left alone');
});
