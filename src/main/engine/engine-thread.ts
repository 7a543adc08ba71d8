/**
 * Worker thread of the shared engine threads (engine-threads.ts): decodes
 * pack ranges and blobs for a restore's reads and writes its small files;
 * chunks and hashes a backup's files.
 */
import { parentPort } from 'node:worker_threads';
import { decodeJob, type DecodeJob } from './repo/decode-worker.ts';
import { writeFilesJob, type WriteFilesJob } from './restore/small-file-writer-worker.ts';
import { contentJob, filesJob, type ContentJob, type FilesJob } from './archive/content-job.ts';

export type ThreadRequest = { seq: number } & (DecodeJob | WriteFilesJob | ContentJob | FilesJob);

export interface ThreadReply {
  seq: number;
  reply: unknown;
}

parentPort!.on('message', (req: ThreadRequest) => {
  const { reply, transfer } = run(req);
  parentPort!.postMessage({ seq: req.seq, reply } satisfies ThreadReply, transfer);
});

function run(req: ThreadRequest): { reply: unknown; transfer: ArrayBuffer[] } {
  switch (req.op) {
    case 'write-files':
      return writeFilesJob(req);
    case 'content':
      return contentJob(req);
    case 'files':
      return filesJob(req);
    default:
      return decodeJob(req);
  }
}
