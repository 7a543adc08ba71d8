/**
 * S3: an encrypted backup of the dataset through S3Backend against raw
 * uploads of the same bytes with the AWS SDK in the same run, and a restore
 * against raw downloads.
 *
 *   engine backup   Repository.create + backup(folderSource) into a fresh bucket
 *                   (with --peers: `dvom backup --storage=s3 ...`, a whole process)
 *   raw upload      as many objects as the backup stored packs, of the same
 *                   sizes, with the engine's concurrency: S3Backend.concurrentPuts
 *                   objects at once, larger objects as multipart uploads with the
 *                   engine's part size and parts in flight (read from the build:
 *                   s3-backend.ts PART_SIZE, UPLOAD_QUEUE), same client settings
 *   engine restore  restoreToFolder from the bucket
 *   local backup    the same backup into a LocalBackend (reference: the engine
 *                   alone, which bounds the upload ratio from above)
 *   raw download    GetObject of the raw objects, as many at once as uploads
 *
 * The endpoint comes from DVOM_BENCH_S3_* or DVOM_TEST_S3_* (ENDPOINT,
 * ACCESS_KEY, SECRET_KEY); without them, a private single-node Ceph RGW is
 * started with scripts/services/ceph-rgw.sh (own folder and ports) and
 * stopped at the end. Its memstore keeps objects in RAM (a 4 GiB device), so
 * the section does not run above 1 GiB. The bucket is deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { onInterrupt } from './cleanup.ts';
import { GiB, bytesLabel, meets, targetLabel, verdict, type Target } from './format.ts';
import { pickRun, treeTotals, workerModules } from './measure.ts';
import { runOp } from './operation.ts';
import type * as S3BackendModule from '../src/main/engine/storage/s3-backend.ts';
import type { S3Target, WorkerResult } from './protocol.ts';
import { skippedResult, workerRow, type DatasetContext, type Row, type Section, type SectionResult } from './section.ts';

const PASSWORD = 'bench';
const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const CEPH_SCRIPT = path.join(REPO_ROOT, 'scripts', 'services', 'ceph-rgw.sh');
/** The target for upload throughput against raw uploads (issue 10). */
const UPLOAD_TARGET: Target = { op: '≥', value: 0.8 };

/**
 * How the engine uploads, from the build the workers load: objects at once
 * (S3Backend.concurrentPuts, which blob-writer.ts follows), and the part size
 * and parts in flight of each.
 */
async function engineUploads(): Promise<{ uploads: number; partSize: number; queueSize: number }> {
  const { S3Backend, PART_SIZE, UPLOAD_QUEUE } = (await import(workerModules().s3Backend)) as typeof S3BackendModule;
  return { uploads: new S3Backend({ bucket: 'unused' }).concurrentPuts, partSize: PART_SIZE, queueSize: UPLOAD_QUEUE };
}
/** memstore holds everything in RAM on a 4 GiB device: the backup, the raw copy and garbage not yet collected. */
const MAX_DATASET = 1 * GiB;
/** Ports of the private Ceph (away from the test suite's 7480 / 3300 / 6789). */
const PRIVATE_PORTS = { DVOM_RGW_PORT: '17480', DVOM_CEPH_MON_PORT: '13300', DVOM_CEPH_MON_V1_PORT: '16789' };

interface Endpoint {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where it came from, for the notes. */
  origin: string;
}

/** A Ceph this bench started: stopped by teardown. */
let privateCeph: { dir: string; endpoint: Promise<Endpoint | { problem: string }> } | undefined;

function envEndpoint(): Endpoint | undefined {
  for (const prefix of ['DVOM_BENCH_S3_', 'DVOM_TEST_S3_']) {
    const endpoint = process.env[`${prefix}ENDPOINT`];
    const accessKeyId = process.env[`${prefix}ACCESS_KEY`];
    const secretAccessKey = process.env[`${prefix}SECRET_KEY`];
    if (endpoint && accessKeyId && secretAccessKey) return { endpoint, accessKeyId, secretAccessKey, origin: `${prefix}* (${endpoint})` };
  }
  return undefined;
}

/** The ceph-rgw.sh start still running, if any (killed before stopping on an interrupt). */
let starting: ChildProcess | undefined;

function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CEPH_SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (args[0] === 'start') starting = child;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (starting === child) starting = undefined;
      resolve({ code, stdout, stderr });
    });
  });
}

function cephEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, DVOM_CEPH_DIR: dir, ...PRIVATE_PORTS };
}

async function startPrivateCeph(dir: string, log: (m: string) => void): Promise<Endpoint | { problem: string }> {
  log(`starting a private Ceph RGW (${path.relative(REPO_ROOT, CEPH_SCRIPT)}, folder ${dir}, port ${PRIVATE_PORTS.DVOM_RGW_PORT})`);
  const t0 = Date.now();
  const res = await runScript(['start'], cephEnv(dir));
  const env = Object.fromEntries(
    res.stdout
      .split('\n')
      .map((l) => l.split('='))
      .filter((kv) => kv.length === 2),
  ) as Record<string, string>;
  if (res.code !== 0 || !env.DVOM_TEST_S3_ENDPOINT) {
    const tail = res.stderr.trim().split('\n').slice(-3).join(' | ');
    return { problem: `no endpoint in DVOM_BENCH_S3_* / DVOM_TEST_S3_*, and starting Ceph failed (exit ${res.code}: ${tail})` };
  }
  log(`Ceph RGW ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return {
    endpoint: env.DVOM_TEST_S3_ENDPOINT,
    accessKeyId: env.DVOM_TEST_S3_ACCESS_KEY!,
    secretAccessKey: env.DVOM_TEST_S3_SECRET_KEY!,
    origin: `a private Ceph RGW started by the bench (memstore, ${env.DVOM_TEST_S3_ENDPOINT})`,
  };
}

async function stopPrivateCeph(): Promise<void> {
  if (!privateCeph) return;
  const { dir } = privateCeph;
  privateCeph = undefined;
  starting?.kill('SIGKILL');
  await runScript(['stop'], cephEnv(dir));
  rmSync(dir, { recursive: true, force: true });
}

function endpointFor(ctx: DatasetContext): Promise<Endpoint | { problem: string }> {
  const fromEnv = envEndpoint();
  if (fromEnv) return Promise.resolve(fromEnv);
  if (!existsSync(CEPH_SCRIPT)) {
    return Promise.resolve({ problem: `no endpoint in DVOM_BENCH_S3_* / DVOM_TEST_S3_*, and no ${path.relative(REPO_ROOT, CEPH_SCRIPT)}` });
  }
  if (!privateCeph) {
    const dir = path.join(os.tmpdir(), `dvom-bench-ceph-${process.pid}`);
    privateCeph = { dir, endpoint: startPrivateCeph(dir, ctx.log) };
  }
  return privateCeph.endpoint;
}

function client(e: Endpoint): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: e.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function listAll(s3: S3Client, bucket: string, prefix = ''): Promise<_Object[]> {
  const out: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    out.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Deletes every object under `prefix` (one DeleteObject each: no Content-MD5 / checksum needs for DeleteObjects). */
async function deletePrefix(s3: S3Client, bucket: string, prefix = ''): Promise<void> {
  const keys = (await listAll(s3, bucket, prefix)).map((o) => o.Key!).filter(Boolean);
  let next = 0;
  const lane = async () => {
    while (next < keys.length) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keys[next++]! }));
  };
  await Promise.all(Array.from({ length: 8 }, lane));
}

async function deleteBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await deletePrefix(s3, bucket);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'NoSuchBucket') throw err;
  }
}

/** S3 rows are not divided by the local read baseline. */
const rowOf = (operation: string, r: WorkerResult, bytes: number, note?: string): Row => ({
  ...workerRow(operation, r, bytes, note),
  compareToBaseline: false,
});

const mbps = (bytes: number, seconds: number) => bytes / 1e6 / seconds;

const requestsLabel = (r: WorkerResult) =>
  Object.entries(r.s3Requests ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(', ') || 'not counted (dvom CLI)';

async function measure(ctx: DatasetContext, e: Endpoint, s3: S3Client, bucket: string): Promise<SectionResult> {
  const { dataset, workDir, options } = ctx;
  const bytes = dataset.bytes;
  const dvom = options.wholeProcess ? 'dvom CLI' : 'engine';
  const { uploads, partSize, queueSize } = await engineUploads();
  const target: S3Target = { bucket, endpoint: e.endpoint, accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey };

  ctx.log('reference: the same encrypted backup into a local store (the engine without S3)');
  const localStore = path.join(workDir, 'local-store');
  const local = await pickRun(
    options,
    () => runOp(ctx, { op: 'backup', store: localStore, name: 'bench', encrypted: true, password: PASSWORD, source: dataset.dir, create: true }),
    () => rm(localStore, { recursive: true, force: true }),
  );
  const localStoredBytes = (await treeTotals(localStore)).bytes;
  await rm(localStore, { recursive: true, force: true });

  ctx.log('engine encrypted backup to S3');
  let name = '';
  const backup = await pickRun(options, async (i) => {
    if (name) await deletePrefix(s3, bucket, `backups/${name}/`); // keep memstore small: only the last backup stays
    name = `bench-${i}`;
    return runOp(ctx, { op: 'backup', store: target, name, encrypted: true, password: PASSWORD, source: dataset.dir, create: true });
  });
  const stored = await listAll(s3, bucket, `backups/${name}/`);
  const packs = stored.filter((o) => o.Key!.startsWith(`backups/${name}/packs/`)).map((o) => o.Size ?? 0);
  const packBytes = packs.reduce((a, b) => a + b, 0);
  const allBytes = stored.reduce((a, o) => a + (o.Size ?? 0), 0);

  ctx.log(`raw upload: ${packs.length} objects of the packs' sizes (${bytesLabel(packBytes)}), ${uploads} at once`);
  let rawPrefix = '';
  const rawPut = await pickRun(options, async (i) => {
    if (rawPrefix) await deletePrefix(s3, bucket, rawPrefix);
    rawPrefix = `raw-${i}/`;
    return runOp(ctx, { op: 's3-put', s3: target, keyPrefix: rawPrefix, sizes: packs, concurrency: uploads, partSize, queueSize });
  });

  ctx.log('engine restore from S3');
  const restoreDir = path.join(workDir, 'restored');
  const restore = await pickRun(
    options,
    () => runOp(ctx, { op: 'restore', store: target, name, encrypted: true, password: PASSWORD, target: restoreDir }),
    () => rm(restoreDir, { recursive: true, force: true }),
  );
  const restored = await treeTotals(restoreDir);
  const restoreOk = restored.files === dataset.files && restored.bytes === bytes;
  await rm(restoreDir, { recursive: true, force: true });

  ctx.log('raw download: GetObject of the raw objects');
  const rawKeys = (await listAll(s3, bucket, rawPrefix)).map((o) => o.Key!);
  const rawGet = await pickRun(options, () => runOp(ctx, { op: 's3-get', s3: target, keys: rawKeys, concurrency: uploads }));

  const upEngine = mbps(packBytes, backup.opSeconds);
  const upRaw = mbps(packBytes, rawPut.opSeconds);
  const downEngine = mbps(packBytes, restore.opSeconds);
  const downRaw = mbps(packBytes, rawGet.opSeconds);
  const rows: Row[] = [
    rowOf(`${dvom} encrypted backup → S3`, backup, packBytes, `${mbps(bytes, backup.opSeconds).toFixed(0)} MB/s of data; ${targetLabel(upEngine / upRaw, UPLOAD_TARGET)} of raw upload`),
    rowOf(
      `raw upload: PutObject/multipart, ${uploads} objects × ${queueSize} parts of ${bytesLabel(partSize)}`,
      rawPut,
      rawPut.bytes ?? packBytes,
      `${packs.length} objects of the packs' sizes`,
    ),
    rowOf(`${dvom} restore ← S3`, restore, packBytes, `${mbps(bytes, restore.opSeconds).toFixed(0)} MB/s of data; ${(downEngine / downRaw).toFixed(2)}× raw download`),
    rowOf(`raw download: GetObject, ${uploads} at once`, rawGet, rawGet.bytes ?? packBytes),
    rowOf(`reference: ${dvom} backup → local store`, local, localStoredBytes, `${mbps(bytes, local.opSeconds).toFixed(0)} MB/s of data`),
  ];
  const bound = rawPut.opSeconds / local.opSeconds;
  const notes = [
    `S3 rows: MB/s of stored bytes (${bytesLabel(packBytes)} in ${packs.length} packs, ${(packBytes / bytes * 100).toFixed(1)}% of the dataset; ` +
      `${bytesLabel(allBytes - packBytes)} more in ${stored.length - packs.length} index/version/key objects); × read is not comparable here`,
    `restore check: ${restoreOk ? 'OK' : 'MISMATCH'} (${restored.files} files, ${restored.bytes} bytes; dataset ${dataset.files} files, ${bytes} bytes)`,
    `the engine alone (local store) takes ${local.opSeconds.toFixed(2)} s, raw upload ${rawPut.opSeconds.toFixed(2)} s: ` +
      `even with compute and upload fully overlapped the upload ratio is at most ${Math.min(1, bound).toFixed(2)}× here`,
    `S3 requests: backup ${requestsLabel(backup)}; raw upload ${requestsLabel(rawPut)}; restore ${requestsLabel(restore)}; raw download ${requestsLabel(rawGet)}`,
    options.wholeProcess
      ? `every time is a whole process (node start-up, module loading and, for dvom, the scrypt unlock included), ${options.pick} of ${options.repeat}`
      : `unlock (scrypt, not in the times above): ${backup.unlockSeconds.toFixed(2)} / ${restore.unlockSeconds.toFixed(2)} s (create / open)`,
    `endpoint: ${e.origin}; the store runs on the same ${os.cpus().length} cores as the bench, so the engine's CPU work competes with it`,
  ];
  return {
    rows,
    notes,
    metrics: {
      packBytes,
      packs: packs.length,
      backupSeconds: backup.opSeconds,
      rawPutSeconds: rawPut.opSeconds,
      backupUploadMBps: upEngine,
      rawUploadMBps: upRaw,
      uploadRatio: upEngine / upRaw,
      localBackupSeconds: local.opSeconds,
      uploadRatioBound: Math.min(1, bound),
      restoreSeconds: restore.opSeconds,
      rawGetSeconds: rawGet.opSeconds,
      restoreStoredMBps: downEngine,
      restoreDataMBps: mbps(bytes, restore.opSeconds),
      rawDownloadMBps: downRaw,
      peakRssMiB: Math.max(backup.processPeakRssKiB, restore.processPeakRssKiB) / 1024,
      restoreOk: restoreOk ? 1 : 0,
    },
    data: { endpoint: e.endpoint, packSizes: packs, localBackup: local, backup, rawPut, restore, rawGet, restored },
  };
}

export const s3Section: Section = {
  id: 's3',
  title: 's3: backup / restore through S3Backend vs raw PutObject / GetObject',

  async run(ctx: DatasetContext): Promise<SectionResult> {
    if (ctx.sizeIndex > 0 && !ctx.options.allSizes) return skippedResult('runs at the smallest size only (--all-sizes for every size)');
    if (ctx.dataset.bytes > MAX_DATASET) return skippedResult(`datasets above ${bytesLabel(MAX_DATASET)} would not fit Ceph's memstore`);
    const e = await endpointFor(ctx);
    if ('problem' in e) return skippedResult(e.problem);
    const s3 = client(e);
    const bucket = `dvom-bench-${randomBytes(4).toString('hex')}`;
    const unregister = onInterrupt(() => deleteBucket(s3, bucket));
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      return await measure(ctx, e, s3, bucket);
    } finally {
      ctx.log(`deleting bucket ${bucket}`);
      await deleteBucket(s3, bucket);
      unregister();
      s3.destroy();
    }
  },

  summarize(results) {
    return results.flatMap(({ label, result: { metrics: r } }) => [
      `S3 backup upload throughput at ${label} = ${r.backupUploadMBps!.toFixed(1)} MB/s stored bytes / raw ${r.rawUploadMBps!.toFixed(1)} MB/s = ` +
        `${r.uploadRatio!.toFixed(2)}× (target ${UPLOAD_TARGET.op} ${UPLOAD_TARGET.value}×): ${verdict(meets(r.uploadRatio!, UPLOAD_TARGET))}`,
      `  bound by the engine's own speed: local-store backup ${r.localBackupSeconds!.toFixed(2)} s vs raw upload ${r.rawPutSeconds!.toFixed(2)} s ` +
        `→ at most ${r.uploadRatioBound!.toFixed(2)}× with perfect overlap`,
      `S3 restore at ${label}: ${r.restoreStoredMBps!.toFixed(1)} MB/s stored bytes (${r.restoreDataMBps!.toFixed(1)} MB/s of data) / ` +
        `raw GetObject ${r.rawDownloadMBps!.toFixed(1)} MB/s` +
        (r.restoreOk === 1 ? '' : ' (RESTORE CHECK FAILED)'),
    ]);
  },

  async teardown(): Promise<void> {
    await stopPrivateCeph();
  },
};
