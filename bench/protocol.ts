/** What bench/run.ts asks bench/worker.ts to do, and what the worker reports back. */
import type { VersionStats } from '../src/main/engine/index.ts';
import type { BlobWriterOptions } from '../src/main/engine/repo/blob-writer.ts';

/**
 * Module URLs the worker imports (it has no static imports of the project, so
 * that it can load either dist/ or src/; see engine-module.ts).
 */
export interface WorkerModules {
  engine: string;
  s3Backend: string;
  dockerClient: string;
  backupVolumes: string;
  restoreVolume: string;
  dockerode: string;
  s3Client: string;
  libStorage: string;
}

/** An S3 bucket (S3-compatible endpoint, path-style addressing). */
export interface S3Target {
  bucket: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Folder inside the bucket (engine operations). */
  prefix?: string;
}

interface RepoBase {
  /** Folder of a LocalBackend store, or an S3 bucket. */
  store: string | S3Target;
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

/** What the bench creates on a Docker engine carries these labels, so it can all be found and removed. */
export type DockerLabels = Record<string, string>;

export type WorkerRequest =
  | (RepoBase & { op: 'backup'; source: string; create: boolean })
  | (RepoBase & { op: 'restore'; target: string })
  /** backupVolumes() of one volume (engine volume backup through the archive API). */
  | (RepoBase & { op: 'volume-backup'; volume: string; create: boolean })
  /** restoreVolume() of the latest version into a volume that does not exist yet. */
  | (RepoBase & { op: 'volume-restore'; targetVolume: string })
  /** Raw archive API: create a never-started container, GET /archive of the volume, discard it, remove the container. */
  | { op: 'raw-export'; volume: string; image: string; labels: DockerLabels }
  /** Raw archive API: create the volume and a never-started container, PUT /archive of a tar file, remove the container. */
  | { op: 'raw-import'; volume: string; image: string; labels: DockerLabels; tarFile: string }
  /** Raw S3: PutObject / multipart Upload of objects of these sizes, `concurrency` objects at once. */
  | { op: 's3-put'; s3: S3Target; keyPrefix: string; sizes: number[]; concurrency: number; partSize: number; queueSize: number }
  /** Raw S3: GetObject of these keys, discarded, `concurrency` at once. */
  | { op: 's3-get'; s3: S3Target; keys: string[]; concurrency: number };

/** The message actually sent to the worker. */
export type WorkerMessage = WorkerRequest & { modules: WorkerModules };

export interface WorkerResult {
  op: WorkerRequest['op'];
  /** Repository.create / Repository.open (scrypt for encrypted backups); 0 for raw operations. */
  unlockSeconds: number;
  /** The operation only (backup() / restoreToFolder() / backupVolumes() / ... / the raw transfer). */
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
  /** Where the project's modules came from. */
  engineFrom: 'dist' | 'src';
  stats?: VersionStats;
  /** Bytes moved by a raw operation. */
  bytes?: number;
  /** S3 requests during the operation, by command (GetObject, UploadPart, ...). */
  s3Requests?: Record<string, number>;
  /** Timed as a whole process (opSeconds, cpuSeconds and processPeakRssKiB are then the process's): the operation alone inside it. */
  innerOpSeconds?: number;
}
