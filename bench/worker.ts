/**
 * One benchmark operation in a fresh process, so its peak RSS is its own.
 * Usage: node bench/worker.ts '<json WorkerMessage>'
 * Prints one JSON line (WorkerResult) on stdout.
 *
 * The project's modules (engine, S3 backend, Docker volumes) and the
 * third-party clients are imported from URLs in the message: dist/ when it is
 * built and current, else src/ (see engine-module.ts). This file has no
 * runtime imports but node: built-ins, so measure.ts can run a type-stripped
 * copy of it as plain JavaScript, like the CLI users run from dist/.
 *
 * Memory: unlocking with a password runs scrypt (N=2^17, r=8: ~128 MiB for
 * ~0.5 s). The worker records the peak after unlocking, then resets the
 * kernel's high-water mark (/proc/self/clear_refs, Linux ≥ 4.0) so the peak of
 * the operation itself is measured separately (where the reset is not
 * possible, the operation's RSS is sampled every 20 ms instead). The process
 * peak is the larger of the two.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Readable } from 'node:stream';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type * as LibStorage from '@aws-sdk/lib-storage';
import type Dockerode from 'dockerode';
import type * as DockerClient from '../src/main/docker/docker-client.ts';
import type * as Engine from '../src/main/engine/index.ts';
import type * as S3BackendModule from '../src/main/engine/storage/s3-backend.ts';
import type * as BackupVolumes from '../src/main/volumes/backup-volumes.ts';
import type * as RestoreVolume from '../src/main/volumes/restore-volume.ts';
import type { DockerLabels, S3Target, WorkerMessage, WorkerModules, WorkerResult } from './protocol.ts';

function peakRssKiB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}

function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function cpuMicros(): number {
  const u = process.resourceUsage();
  return u.userCPUTime + u.systemCPUTime;
}

/** CPU seconds of the main (JS) thread alone, from /proc (Linux); NaN elsewhere. */
function mainThreadCpuSeconds(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Samples RSS while the operation runs (fallback when the peak cannot be reset). */
function sampleRss(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 1024);
    },
  };
}

type Outcome = Pick<WorkerResult, 'stats' | 'bytes'>;

/** S3 requests by command name (CreateMultipartUpload, UploadPart, GetObject, ...), retries not counted. */
const s3Requests: Record<string, number> = {};

function countRequests(client: S3Sdk.S3Client): S3Sdk.S3Client {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
      s3Requests[name] = (s3Requests[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return client;
}

/** An operation once set up: `run` is what is timed. */
interface Prepared {
  run: () => Promise<Outcome>;
  /** Seconds of Repository.create/open (scrypt), 0 for raw operations. */
  unlockSeconds: number;
}

async function dockerode(modules: WorkerModules): Promise<Dockerode> {
  const { default: Docker } = (await import(modules.dockerode)) as { default: typeof Dockerode };
  return new Docker();
}

/** A never-started container with `volume` mounted at /volume, as DVOM's helpers (and any raw archive API client) use. */
function createContainer(docker: Dockerode, image: string, volume: string, readOnly: boolean, labels: DockerLabels): Promise<Dockerode.Container> {
  return docker.createContainer({
    Image: image,
    Cmd: ['/never-started'],
    Labels: labels,
    NetworkDisabled: true,
    HostConfig: { Binds: [`${volume}:/volume${readOnly ? ':ro' : ''}`], NetworkMode: 'none' },
  });
}

/** The same client settings as S3Backend (s3ClientConfig). */
function s3Client(sdk: typeof S3Sdk, s3: S3Target): S3Sdk.S3Client {
  const client = new sdk.S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 5,
    retryMode: 'standard',
  });
  return countRequests(client);
}

/** Runs `task` over `items` with at most `concurrency` at once. */
async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

async function prepare(req: WorkerMessage): Promise<Prepared> {
  const m = req.modules;
  switch (req.op) {
    case 'raw-export': {
      const docker = await dockerode(m);
      return {
        unlockSeconds: 0,
        run: async () => {
          const container = await createContainer(docker, req.image, req.volume, true, req.labels);
          let bytes = 0;
          try {
            const stream = (await container.getArchive({ path: '/volume/.' })) as unknown as Readable;
            for await (const chunk of stream) bytes += (chunk as Buffer).length;
          } finally {
            await container.remove({ force: true });
          }
          return { bytes };
        },
      };
    }
    case 'raw-import': {
      const docker = await dockerode(m);
      return {
        unlockSeconds: 0,
        run: async () => {
          await docker.createVolume({ Name: req.volume, Labels: req.labels });
          const container = await createContainer(docker, req.image, req.volume, false, req.labels);
          try {
            await container.putArchive(createReadStream(req.tarFile, { highWaterMark: 1024 * 1024 }), { path: '/volume' });
          } finally {
            await container.remove({ force: true });
          }
          return {};
        },
      };
    }
    case 's3-put': {
      const sdk = (await import(m.s3Client)) as typeof S3Sdk;
      const { Upload } = (await import(m.libStorage)) as typeof LibStorage;
      const client = s3Client(sdk, req.s3);
      // Encrypted packs are incompressible; one random buffer serves every object.
      const payload = randomBytes(Math.max(0, ...req.sizes));
      const jobs = req.sizes.map((size, i) => ({ key: `${req.keyPrefix}${String(i).padStart(6, '0')}`, size }));
      return {
        unlockSeconds: 0,
        run: async () => {
          await pool(jobs, req.concurrency, async ({ key, size }) => {
            const Body = payload.subarray(0, size);
            if (size <= req.partSize) {
              await client.send(new sdk.PutObjectCommand({ Bucket: req.s3.bucket, Key: key, Body }));
            } else {
              const upload = new Upload({
                client,
                queueSize: req.queueSize,
                partSize: req.partSize,
                leavePartsOnError: false,
                params: { Bucket: req.s3.bucket, Key: key, Body },
              });
              await upload.done();
            }
          });
          client.destroy();
          return { bytes: req.sizes.reduce((a, b) => a + b, 0) };
        },
      };
    }
    case 's3-get': {
      const sdk = (await import(m.s3Client)) as typeof S3Sdk;
      const client = s3Client(sdk, req.s3);
      return {
        unlockSeconds: 0,
        run: async () => {
          let bytes = 0;
          await pool(req.keys, req.concurrency, async (Key) => {
            const out = await client.send(new sdk.GetObjectCommand({ Bucket: req.s3.bucket, Key }));
            for await (const chunk of out.Body as Readable) bytes += (chunk as Buffer).length;
          });
          client.destroy();
          return { bytes };
        },
      };
    }
    default:
      break;
  }

  // Engine operations: open (or create) the repository first; that is the unlock.
  const engine = (await import(m.engine)) as typeof Engine;
  let store: Engine.StorageBackend;
  if (typeof req.store === 'string') {
    store = new engine.LocalBackend(req.store);
  } else {
    const { S3Backend, s3ClientConfig } = (await import(m.s3Backend)) as typeof S3BackendModule;
    const sdk = (await import(m.s3Client)) as typeof S3Sdk;
    const settings = {
      bucket: req.store.bucket,
      endpoint: req.store.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: req.store.accessKeyId, secretAccessKey: req.store.secretAccessKey },
      ...(req.store.prefix ? { prefix: req.store.prefix } : {}),
    };
    // The backend's own client settings, plus a request counter.
    store = new S3Backend(settings, countRequests(new sdk.S3Client(s3ClientConfig(settings))));
  }
  const docker =
    req.op === 'volume-backup' || req.op === 'volume-restore' ? await ((await import(m.dockerClient)) as typeof DockerClient).connectDocker() : undefined;
  const credential: Engine.Credential | undefined = req.encrypted ? { kind: 'password', password: req.password } : undefined;
  const create = (req.op === 'backup' || req.op === 'volume-backup') && req.create;
  const t0 = process.hrtime.bigint();
  const repo = create
    ? await engine.Repository.create(store, req.name, req.encrypted ? { encrypted: true, credential } : { encrypted: false })
    : await engine.Repository.open(store, req.name, credential);
  const unlockSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  switch (req.op) {
    case 'backup':
      return {
        unlockSeconds,
        run: async () => {
          const version = await engine.backup(repo, engine.folderSource(req.source), {
            sourceKind: 'path',
            sourcePath: req.source,
            ...(req.writer ? { writer: req.writer } : {}),
          });
          return { stats: version.stats };
        },
      };
    case 'restore':
      return {
        unlockSeconds,
        run: async () => {
          await engine.restoreToFolder(repo, await repo.version('latest'), req.target);
          return {};
        },
      };
    case 'volume-backup': {
      const { backupVolumes } = (await import(m.backupVolumes)) as typeof BackupVolumes;
      return {
        unlockSeconds,
        run: async () => ({ stats: (await backupVolumes(repo, docker!, { volumes: [req.volume] })).stats }),
      };
    }
    case 'volume-restore': {
      const { restoreVolume } = (await import(m.restoreVolume)) as typeof RestoreVolume;
      return {
        unlockSeconds,
        run: async () => {
          await restoreVolume(repo, docker!, await repo.version('latest'), { targetVolume: req.targetVolume });
          return {};
        },
      };
    }
  }
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '') as WorkerMessage;
  const prepared = await prepare(req);
  const unlockPeak = peakRssKiB();
  const reset = resetPeakRss();
  const startRss = Math.round(process.memoryUsage.rss() / 1024);
  const sampler = reset ? undefined : sampleRss();
  const cpuProfile = 'cpuProfile' in req ? req.cpuProfile : undefined;
  let session: Session | undefined;
  if (cpuProfile) {
    session = new Session();
    session.connect();
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = cpuMicros();
  const main0 = mainThreadCpuSeconds();
  for (const k of Object.keys(s3Requests)) delete s3Requests[k]; // count the operation's requests only

  const t2 = process.hrtime.bigint();
  const outcome = await prepared.run();
  const t3 = process.hrtime.bigint();

  const cpu = cpuMicros() - cpu0;
  const mainCpu = mainThreadCpuSeconds() - main0;
  if (session && cpuProfile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(cpuProfile, JSON.stringify(profile));
    session.disconnect();
  }
  const opPeak = sampler ? sampler.stop() : peakRssKiB();
  const result: WorkerResult = {
    op: req.op,
    unlockSeconds: prepared.unlockSeconds,
    opSeconds: Number(t3 - t2) / 1e9,
    cpuSeconds: cpu / 1e6,
    mainThreadCpuSeconds: mainCpu,
    unlockPeakRssKiB: unlockPeak,
    startRssKiB: startRss,
    opPeakRssKiB: opPeak,
    processPeakRssKiB: Math.max(unlockPeak, opPeak, reset ? 0 : process.resourceUsage().maxRSS),
    peakResetWorked: reset,
    engineFrom: req.modules.engine.endsWith('.ts') ? 'src' : 'dist',
    ...outcome,
    ...(Object.keys(s3Requests).length ? { s3Requests: { ...s3Requests } } : {}),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  // Sockets of the S3 / Docker clients may keep the event loop alive.
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
