import { leaseThreads, type ThreadLease } from '../engine-threads.ts';
import type { SmallFile, WriterReply } from './small-file-writer-worker.ts';

/** A file to write: its name and content, and the rest of SmallFile. */
export type SmallFileInput = Omit<SmallFile, 'dest' | 'data'> & { dest: Buffer; data: Buffer };

/** Files handed over at once (one message each way per batch). */
const BATCH_FILES = 64;
const BATCH_BYTES = 1024 * 1024;
/** Bytes handed over but not yet written; beyond this, add() waits (a few batches keep the thread busy). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
/** Every batch goes to the same engine thread: files are created in the order added. */
const WRITER_THREAD = 0;


/**
 * Writes small files on an engine thread (the one the restore's decoding
 * shares). Creating a file costs six system calls; for a folder of thousands
 * of small files those calls, not the data, are most of a restore, and here
 * they run beside the work on the main thread instead of after it. Files are created in the order added; the first
 * failure is thrown by the next call.
 */
export class SmallFileWriter {
  private readonly threads: ThreadLease = leaseThreads();
  private batch: SmallFileInput[] = [];
  private batchBytes = 0;
  private queuedBytes = 0;
  private readonly inFlight: number[] = [];
  private failure: Error | undefined;
  private waiters: (() => void)[] = [];

  /** Queues a file; waits while too many bytes are on their way. */
  async add(file: SmallFileInput): Promise<void> {
    this.throwIfFailed();
    this.batch.push(file);
    this.batchBytes += file.data.length + file.dest.length;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) this.send();
    while (this.queuedBytes > MAX_QUEUED_BYTES && !this.failure) await this.wait();
    this.throwIfFailed();
  }

  /** Resolves once every queued file is written (or throws the first failure). */
  async drain(): Promise<void> {
    this.send();
    while (this.inFlight.length && !this.failure) await this.wait();
    this.throwIfFailed();
  }

  async close(): Promise<void> {
    await this.threads.release();
  }

  private send(): void {
    if (!this.batch.length) return;
    const bytes = new ArrayBuffer(this.batchBytes);
    const view = Buffer.from(bytes);
    const files: SmallFile[] = [];
    let pos = 0;
    const place = (b: Buffer): [number, number] => {
      b.copy(view, pos);
      pos += b.length;
      return [pos - b.length, b.length];
    };
    for (const f of this.batch) files.push({ ...f, dest: place(f.dest), data: place(f.data) });
    this.threads.run<WriterReply>(WRITER_THREAD, { op: 'write-files', bytes, files }, [bytes]).then(
      (reply) => this.onReply(reply),
      (err: unknown) => this.fail(err as Error),
    );
    this.inFlight.push(this.batchBytes);
    this.queuedBytes += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
  }

  private onReply(reply: WriterReply): void {
    if ('error' in reply) {
      const err = new Error(`cannot write '${reply.error.dest}': ${reply.error.message}`) as NodeJS.ErrnoException;
      if (reply.error.code) err.code = reply.error.code;
      this.fail(err);
      return;
    }
    this.queuedBytes -= this.inFlight.shift() ?? 0;
    this.wake();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
