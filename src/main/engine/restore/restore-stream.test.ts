import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { markOwned, releaseOwned } from '../memory.ts';
import type { TreeEntry } from '../tree/tree-entry.ts';
import { restoreStream } from './restore-stream.ts';

/** A file of three chunks, read as a reader hands them out: memory of their own, marked owned. */
function oneFile() {
  const chunks = new Map([...Array(3)].map((_, i) => [`id${i}`, randomBytes(100_000 + i)]));
  const all = Buffer.concat([...chunks.values()]);
  const entry: TreeEntry = {
    path: Buffer.from('f'),
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtimeMs: 0,
    size: all.length,
    sha256: createHash('sha256').update(all).digest('hex'),
    chunks: [...chunks.keys()],
  };
  const read = async (id: string) => {
    const data = Buffer.allocUnsafeSlow(chunks.get(id)!.length);
    chunks.get(id)!.copy(data);
    return markOwned(data);
  };
  const entries = (async function* () {
    yield entry;
  })();
  return { entries, read, all };
}

test('each owned chunk is freed by the stream once the next is asked for, by nobody for the collector, and left to a consumer that frees it', async () => {
  for (const release of ['stream', 'collector', 'consumer'] as const) {
    const { entries, read, all } = oneFile();
    const kept: Buffer[] = [];
    const copies: Buffer[] = [];
    for await (const { content } of restoreStream(entries, read, release)) {
      for await (const chunk of content!) {
        kept.push(chunk);
        copies.push(Buffer.from(chunk)); // what a consumer that keeps chunks must do when the stream frees them
      }
    }
    assert.ok(Buffer.concat(copies).equals(all), 'the content, verified against its hash on the way');
    assert.deepEqual(
      kept.map((c) => c.length),
      release === 'stream' ? [0, 0, 0] : copies.map((c) => c.length),
      release === 'stream' ? 'every chunk freed' : 'every chunk intact',
    );
    if (release === 'consumer') for (const chunk of kept) assert.equal(releaseOwned(chunk), true, 'still owned: the consumer frees it');
  }
});
