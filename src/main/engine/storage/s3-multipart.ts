import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
  type CreateMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { release } from '../memory.ts';

/**
 * Parts of exactly `size` bytes (the last one shorter) from a stream of
 * smaller buffers, each part in memory of its own; `taken` is told once a
 * buffer's bytes are copied (a pack's sealed segments are then freed).
 */
export async function* partsOf(source: AsyncIterable<Buffer>, size: number, taken: (buf: Buffer) => void): AsyncGenerator<Buffer> {
  let part = Buffer.allocUnsafeSlow(size);
  let filled = 0;
  for await (const buf of source) {
    for (let pos = 0; pos < buf.length; ) {
      const n = Math.min(size - filled, buf.length - pos);
      buf.copy(part, filled, pos, pos + n);
      filled += n;
      pos += n;
      if (filled === size) {
        yield part;
        part = Buffer.allocUnsafeSlow(size);
        filled = 0;
      }
    }
    taken(buf);
  }
  if (filled > 0) yield part.subarray(0, filled);
}

/**
 * A multipart upload of `parts`, `queue` at a time, each part held only until
 * the store has it: then it is freed at once (the request is complete, so
 * nothing still reads it), where the SDK's upload helper would first copy
 * every part and leave the copies to the collector. A failure aborts the
 * upload, so nothing is left behind.
 */
export async function uploadParts(
  client: S3Client,
  params: CreateMultipartUploadCommandInput & { Bucket: string; Key: string },
  parts: AsyncIterable<Buffer>,
  queue: number,
): Promise<{ VersionId?: string }> {
  const { Bucket, Key } = params;
  const { UploadId } = await client.send(new CreateMultipartUploadCommand(params));
  const completed: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    let PartNumber = 0;
    for await (const Body of parts) {
      const n = ++PartNumber;
      const sent = client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n, Body }));
      const task: Promise<void> = sent.then(
        ({ ETag }) => {
          completed[n - 1] = { PartNumber: n, ETag };
          release(Body);
        },
        (error: unknown) => void (failure ??= { error }),
      );
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      while (inFlight.size >= queue && !failure) await Promise.race(inFlight);
      if (failure) throw failure.error;
    }
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    return await client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: completed } }));
  } catch (err) {
    await Promise.allSettled(inFlight);
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
    throw err;
  }
}
