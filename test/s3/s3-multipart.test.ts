// Packs larger than one part go to S3 as a multipart upload of our own: parts
// are freed once stored, and a failure leaves no upload or object behind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { GetObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { partsOf, uploadParts } from '../../src/main/engine/storage/s3-multipart.ts';
import { SKIP_REASON, s3TestEnv, useS3TestFile } from './s3-fixtures.ts';

const env = s3TestEnv();
const skip = env ? false : SKIP_REASON;
const fixture = useS3TestFile(env, 'multipart');
const MiB = 1024 * 1024;

/** Segments as a pack's are made: 64 KiB-ish pieces of their own. */
async function* segments(data: Buffer, failAfter = Infinity): AsyncGenerator<Buffer> {
  for (let pos = 0; pos < data.length; pos += 65_600) {
    if (pos >= failAfter) throw new Error('the pack failed while it was being made');
    yield Buffer.from(data.subarray(pos, pos + 65_600));
  }
}

test('an object of several parts is stored exactly; every part and every segment is freed once done with', { skip }, async () => {
  const { bucket } = fixture;
  const data = randomBytes(12 * MiB + 12345);
  const taken: Buffer[] = [];
  const sent: Buffer[] = [];
  const parts = (async function* () {
    for await (const part of partsOf(segments(data), 5 * MiB, (b) => taken.push(b))) {
      sent.push(part);
      yield part;
    }
  })();
  await uploadParts(bucket.client, { Bucket: bucket.name, Key: 'multi/ok' }, parts, 3);
  const out = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.name, Key: 'multi/ok' }));
  assert.ok(Buffer.from(await out.Body!.transformToByteArray()).equals(data), 'stored exactly');
  assert.deepEqual(sent.map((p) => p.length), [0, 0, 0], 'each part freed once the store had it');
  assert.equal(taken.length, Math.ceil(data.length / 65_600), 'every segment was handed back');
});

test('a source that fails midway aborts the upload: no object and no unfinished upload remain', { skip }, async () => {
  const { bucket } = fixture;
  const data = randomBytes(16 * MiB);
  const parts = partsOf(segments(data, 11 * MiB), 5 * MiB, () => undefined);
  await assert.rejects(uploadParts(bucket.client, { Bucket: bucket.name, Key: 'multi/failed' }, parts, 3), /failed while it was being made/);
  assert.deepEqual(await bucket.keys('multi/failed'), []);
  const uploads = await bucket.client.send(new ListMultipartUploadsCommand({ Bucket: bucket.name }));
  assert.deepEqual((uploads.Uploads ?? []).map((u) => u.Key), [], 'the upload was aborted');
});
