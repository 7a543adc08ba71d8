/**
 * Worker thread of the shared engine threads (engine-threads.ts): decodes
 * pack ranges and blobs for a restore's reads and writes its small files;
 * chunks and hashes a backup's large files.
 */
import { parentPort } from 'node:worker_threads';
import { decodeJob, type DecodeJob } from './repo/decode-worker.ts';
import { writeFilesJob, type WriteFilesJob } from './restore/small-file-writer-worker.ts';
import { contentJob, type ContentJob } from './archive/content-job.ts';

export type ThreadRequest = { seq: number } & (DecodeJob | WriteFilesJob | ContentJob);

export interface ThreadReply {
  seq: number;
  reply: unknown;
}

parentPort!.on('message', (req: ThreadRequest) => {
  const { reply, transfer } = req.op === 'write-files' ? writeFilesJob(req) : req.op === 'content' ? contentJob(req) : decodeJob(req);
  parentPort!.postMessage({ seq: req.seq, reply } satisfies ThreadReply, transfer);
});
