import { DvomError, integrityError } from '../errors.ts';
import { leaseThreads, type ThreadLease } from '../engine-threads.ts';
import type { DecodeJob, DecodeReply } from './decode-worker.ts';
import { movable } from '../memory.ts';

/**
 * Decrypts pack ranges and decodes blobs on the engine's threads (one per
 * core but the one the main thread keeps busy) while the main thread reads
 * the store, checks files and writes them: a restore uses every core instead
 * of one.
 */
export class DecodePool {
  private readonly threads: ThreadLease = leaseThreads();
  private next = 0;
  private closed = false;

  /** openSealedRange() on a worker. */
  open(encKey: Buffer, objectPath: string, payloadLength: number, header: Buffer, sealed: Buffer, offset: number, length: number) {
    const s = movable(sealed);
    return this.run({ op: 'open', encKey, objectPath, payloadLength, header, sealed: s, offset, length }, [s.buffer as ArrayBuffer]);
  }

  /** decodeBlob() on a worker. */
  blob(id: string, what: string, payload: Buffer, rawLength: number, compressed: boolean, idKey: Buffer | undefined) {
    const p = movable(payload);
    return this.run({ op: 'blob', id, what, payload: p, rawLength, compressed, idKey }, [p.buffer as ArrayBuffer]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.threads.release();
  }

  private async run(job: DecodeJob, transfer: ArrayBuffer[]): Promise<Buffer> {
    if (this.closed) throw new DvomError('CANCELLED', 'the decoding threads were closed');
    const reply = await this.threads.run<DecodeReply>(this.next++, job, transfer);
    if ('data' in reply) return Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength);
    throw reply.error.integrity ? integrityError(reply.error.message) : new Error(reply.error.message);
  }
}
