/**
 * A restore reads blobs in the order they were backed up and keeps only a
 * couple of pack blocks, so the backup must pack them in that order even
 * though their compression runs in parallel and finishes out of order;
 * otherwise a restore (on S3, a paid request each) fetches blocks again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BlobIndex } from '../../src/main/engine/repo/blob-index.ts';
import { compressibleText, createRepo, tempDir } from './helpers.ts';

const MiB = 1024 * 1024;

for (const encrypted of [true, false]) {
  test(`blobs are packed in the order added, whichever compression finishes first${encrypted ? '' : ' (plain)'}`, async (t) => {
    const { repo } = await createRepo(tempDir(t, 'pack-order'), 'test', { encrypted });
    const writer = repo.blobWriter(new BlobIndex(), { packSize: 64 * MiB });
    // Slow (4 MiB of text) and quick (64 KiB of random bytes, more than is compressed here) blobs in turn,
    // plus small ones compressed at once, which must wait their turn behind the rest too.
    const blobs: Buffer[] = [];
    for (let i = 0; i < 6; i++) blobs.push(compressibleText(4 * MiB, i + 1), randomBytes(64 * 1024), Buffer.from(`small ${i}`.repeat(20)));
    const ids: string[] = [];
    for (const data of blobs) ids.push(await writer.add('data', data));
    const [pack, ...more] = await writer.flush();
    assert.equal(more.length, 0);
    assert.deepEqual([...pack!.blobs].map(([id]) => id), ids, 'pack order is the order added');
    const offsets = [...pack!.blobs].map(([, loc]) => loc.offset);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
  });
}
