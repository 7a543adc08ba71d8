import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { DvomError, integrityError } from '../errors.ts';
import { workerUrl } from '../worker-url.ts';
import type { DecodeReply, DecodeRequest } from './decode-worker.ts';

type Request = DecodeRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/** Copies a view into memory of its own, which can be moved to a worker (a view would send its whole buffer). */
function own(view: Uint8Array): Uint8Array {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view;
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return copy;
}

/**
 * Worker threads that decrypt pack ranges and decode blobs while the main
 * thread reads the store, checks files and writes them: a restore uses every
 * core instead of one. One worker per core but the one the main thread keeps busy.
 */
export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private next = 0;
  private closed = false;

  constructor(size = Math.max(1, availableParallelism() - 1)) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(workerUrl('repo/decode-worker'));
      worker.unref(); // a pool left open must not keep the process alive
      worker.on('message', (reply: DecodeReply) => this.onReply(reply));
      worker.on('error', (err) => this.failAll(err));
      worker.on('exit', (code) => {
        if (!this.closed) this.failAll(new Error(`a decoding thread stopped (exit code ${code})`));
      });
      this.workers.push(worker);
    }
  }

  /** openSealedRange() on a worker. */
  open(encKey: Buffer, objectPath: string, payloadLength: number, header: Buffer, sealed: Buffer, offset: number, length: number) {
    const s = own(sealed);
    return this.run({ op: 'open', encKey, objectPath, payloadLength, header, sealed: s, offset, length }, [s.buffer as ArrayBuffer]);
  }

  /** decodeBlob() on a worker. */
  blob(id: string, what: string, payload: Buffer, rawLength: number, compressed: boolean, idKey: Buffer | undefined) {
    const p = own(payload);
    return this.run({ op: 'blob', id, what, payload: p, rawLength, compressed, idKey }, [p.buffer as ArrayBuffer]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new DvomError('CANCELLED', 'the decoding threads were closed'));
  }

  private run(request: Request, transfer: ArrayBuffer[]): Promise<Buffer> {
    if (this.closed) return Promise.reject(new DvomError('CANCELLED', 'the decoding threads were closed'));
    const seq = ++this.seq;
    const worker = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      worker.postMessage({ ...request, seq }, transfer);
    });
  }

  private onReply(reply: DecodeReply): void {
    const waiter = this.pending.get(reply.seq);
    if (!waiter) return;
    this.pending.delete(reply.seq);
    if ('data' in reply) waiter.resolve(Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength));
    else waiter.reject(reply.error.integrity ? integrityError(reply.error.message) : new Error(reply.error.message));
  }

  private failAll(err: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}
