import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { DvomError } from './errors.ts';
import { engineWorker } from './worker-url.ts';
import type { ThreadReply, ThreadRequest } from './engine-thread.ts';

/** What a job posts to a thread (without the sequence number the pool adds). */
type Job = ThreadRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/**
 * The engine's worker threads, shared by everything that runs at once (the
 * decode pool and the small-file writer of a restore): each thread is a V8
 * isolate of its own, 15-20 MiB even when idle, so a restore starts one per
 * spare core, not one per job. Threads start when first used and stop when
 * the last lease is released.
 */
class EngineThreads {
  readonly size = Math.max(1, availableParallelism() - 1);
  private readonly workers: (Worker | undefined)[] = [];
  private readonly pending = new Map<number, { resolve: (reply: unknown) => void; reject: (e: Error) => void }>();
  private seq = 0;
  leases = 0;

  /** Runs `job` on thread `thread` (modulo the pool's size); jobs sent to one thread run in order. */
  run<R>(thread: number, job: Job, transfer: ArrayBuffer[] = []): Promise<R> {
    const seq = ++this.seq;
    const worker = this.worker(thread % this.size);
    if (!this.pending.size) this.keepAlive(true);
    return new Promise<R>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (reply: unknown) => void, reject });
      worker.postMessage({ ...job, seq }, transfer);
    });
  }

  /** Starts every thread now rather than with its first job. */
  start(): void {
    for (let i = 0; i < this.size; i++) this.worker(i);
  }

  async stop(): Promise<void> {
    const workers = this.workers.splice(0).filter((w) => w !== undefined);
    await Promise.all(workers.map((w) => w.terminate()));
    this.failAll(new DvomError('CANCELLED', 'the engine threads were closed'));
  }

  private worker(i: number): Worker {
    const existing = this.workers[i];
    if (existing) return existing;
    const worker = engineWorker('engine-thread');
    worker.on('message', (reply: ThreadReply) => this.onReply(reply));
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (this.workers[i] !== worker) return; // stopped on purpose
      this.workers[i] = undefined;
      this.failAll(new Error(`an engine thread stopped (exit code ${code})`));
    });
    // After the listeners: adding a 'message' listener makes a worker keep the process alive again.
    if (!this.pending.size) worker.unref();
    this.workers[i] = worker;
    return worker;
  }

  /**
   * Threads keep the process alive while a job is under way (its caller may
   * have nothing else to wait on), and never while idle: threads left running
   * (started ahead, or a lease not yet released) must not hold up its exit.
   */
  private keepAlive(on: boolean): void {
    for (const worker of this.workers) {
      if (on) worker?.ref();
      else worker?.unref();
    }
  }

  private onReply({ seq, reply }: ThreadReply): void {
    const waiter = this.pending.get(seq);
    if (!waiter) return;
    this.pending.delete(seq);
    if (!this.pending.size) this.keepAlive(false);
    waiter.resolve(reply);
  }

  private failAll(err: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
    this.keepAlive(false);
  }
}

let shared: EngineThreads | undefined;

/** A claim on the shared threads; release it when done (the last release stops them). */
export interface ThreadLease {
  readonly size: number;
  run<R>(thread: number, job: Job, transfer?: ArrayBuffer[]): Promise<R>;
  release(): Promise<void>;
}

export function leaseThreads(): ThreadLease {
  const threads = (shared ??= new EngineThreads());
  threads.leases++;
  let released = false;
  return {
    size: threads.size,
    run: (thread, job, transfer) => {
      if (released) return Promise.reject(new DvomError('CANCELLED', 'the engine threads were closed'));
      return threads.run(thread, job, transfer);
    },
    release: async () => {
      if (released) return;
      released = true;
      if (--threads.leases > 0) return;
      if (shared === threads) shared = undefined;
      await threads.stop();
    },
  };
}

/** How long threads started ahead of time wait for their first lease before stopping. */
const PRESTART_MS = 5000;

/**
 * Starts the threads ahead of their first job, for a caller about to wait on
 * something else (the key derivation of an unlock, some 0.4 s on libuv's
 * pool): a thread takes about 0.1 s of CPU to start, which then overlaps the
 * wait instead of following it. A lease taken meanwhile keeps them; without
 * one they stop after PRESTART_MS (never keeping the process alive).
 */
export function prestartThreads(): void {
  if (shared) return; // running or leased already
  const lease = leaseThreads();
  shared!.start();
  setTimeout(() => void lease.release(), PRESTART_MS).unref();
}
