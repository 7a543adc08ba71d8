/** What bench/run.ts asks bench/worker.ts to do, and what the worker reports back. */
import type { VersionStats } from '../src/main/engine/index.ts';
import type { BlobWriterOptions } from '../src/main/engine/repo/blob-writer.ts';

interface RequestBase {
  /** Folder of the LocalBackend store. */
  store: string;
  /** Backup name inside the store. */
  name: string;
  encrypted: boolean;
  /** Password for encrypted backups (default scrypt parameters). */
  password: string;
  /** Write a V8 CPU profile of the operation alone (not start-up or unlock) to this file. */
  cpuProfile?: string;
  /** BlobWriter overrides, for experiments (backup only). */
  writer?: BlobWriterOptions;
}

export type WorkerRequest =
  | (RequestBase & { op: 'backup'; source: string; create: boolean })
  | (RequestBase & { op: 'restore'; target: string });

export interface WorkerResult {
  op: WorkerRequest['op'];
  /** Repository.create / Repository.open (scrypt for encrypted backups). */
  unlockSeconds: number;
  /** The backup() / restoreToFolder() call only. */
  opSeconds: number;
  /** User + system CPU of the whole process (all threads) during the operation. */
  cpuSeconds: number;
  /** CPU of the main (JavaScript) thread alone during the operation (Linux; NaN elsewhere). */
  mainThreadCpuSeconds: number;
  /** Peak RSS up to the end of the unlock (node start-up + scrypt). */
  unlockPeakRssKiB: number;
  /** RSS right after the unlock, when the operation starts. */
  startRssKiB: number;
  /** Peak RSS during the operation itself (after the unlock). */
  opPeakRssKiB: number;
  /** Peak RSS of the whole process. */
  processPeakRssKiB: number;
  /** False when the kernel peak could not be reset: opPeakRssKiB is then sampled every 20 ms. */
  peakResetWorked: boolean;
  stats?: VersionStats;
}
