/**
 * Shared fixtures for the S3 tests against a real Ceph RADOS Gateway: the
 * connection settings from DVOM_TEST_S3_*, a throwaway bucket per test file,
 * and coordination between test files (which run in parallel processes) so
 * that the outage test's `stop-rgw` never hits another file's requests.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { isProcessAlive } from '../support/processes.ts';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3Backend, type S3Settings } from '../../src/main/engine/storage/s3-backend.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RGW_SCRIPT = path.join(REPO_ROOT, 'scripts', 'services', 'ceph-rgw.sh');
const run = promisify(execFile);

export interface S3TestEnv {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  roAccessKey: string;
  roSecretKey: string;
}

/** The gateway's settings, or undefined (tests then skip with SKIP_REASON). */
export function s3TestEnv(): S3TestEnv | undefined {
  const e = process.env;
  if (!e.DVOM_TEST_S3_ENDPOINT) return undefined;
  return {
    endpoint: e.DVOM_TEST_S3_ENDPOINT,
    accessKey: e.DVOM_TEST_S3_ACCESS_KEY ?? '',
    secretKey: e.DVOM_TEST_S3_SECRET_KEY ?? '',
    roAccessKey: e.DVOM_TEST_S3_RO_ACCESS_KEY ?? '',
    roSecretKey: e.DVOM_TEST_S3_RO_SECRET_KEY ?? '',
  };
}

export const SKIP_REASON = 'DVOM_TEST_S3_ENDPOINT is not set (start an S3 gateway: eval "$(bash scripts/services/ceph-rgw.sh)")';

/** A raw SDK client configured like the one DVOM uses. */
export function adminClient(env: S3TestEnv, credentials = { accessKeyId: env.accessKey, secretAccessKey: env.secretKey }): S3Client {
  return new S3Client({
    endpoint: env.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A unique, valid bucket name. */
export function uniqueBucket(label: string): string {
  return `dvom-${label}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface TestBucket {
  name: string;
  client: S3Client;
  /** A DVOM backend on this bucket (optionally under a prefix / with other settings). */
  backend(extra?: Partial<S3Settings>): S3Backend;
  /** Every key in the bucket (or under `prefix`). */
  keys(prefix?: string): Promise<string[]>;
  /** Deletes every object and the bucket; destroys the clients. */
  remove(): Promise<void>;
}

/** Every key under `prefix`, page by page. */
export async function listS3Keys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export async function createTestBucket(env: S3TestEnv, label: string): Promise<TestBucket> {
  const client = adminClient(env);
  const name = uniqueBucket(label);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  const backends: S3Backend[] = [];
  const keys = async (prefix = ''): Promise<string[]> => (await listS3Keys(client, name, prefix)).sort();
  return {
    name,
    client,
    backend(extra = {}) {
      const b = new S3Backend({
        bucket: name,
        endpoint: env.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: env.accessKey, secretAccessKey: env.secretKey },
        ...extra,
      });
      backends.push(b);
      return b;
    },
    keys,
    async remove() {
      for (const b of backends) b.destroy();
      try {
        const all = await keys();
        for (let i = 0; i < all.length; i += 1000) {
          await client.send(
            new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: all.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }),
          );
        }
        await client.send(new DeleteBucketCommand({ Bucket: name }));
      } finally {
        client.destroy();
      }
    },
  };
}

export interface S3TestFile {
  /** This file's bucket (set by the before hook; undefined when the tests skip). */
  readonly bucket: TestBucket;
  /** A fresh temp folder, removed after this file's tests. */
  tempDir(label: string): string;
}

/**
 * Registers a test file's hooks: before its tests, it becomes a user of the
 * gateway and gets a bucket named after `label` (nothing without `env`);
 * afterwards the bucket is removed, the gateway released and the temp folders
 * deleted.
 */
export function useS3TestFile(env: S3TestEnv | undefined, label: string): S3TestFile {
  let bucket: TestBucket | undefined;
  let releaseGateway: (() => void) | undefined;
  const tempDirs: string[] = [];
  before(async () => {
    if (!env) return;
    releaseGateway = await useGateway();
    bucket = await createTestBucket(env, label);
  });
  after(async () => {
    try {
      if (bucket) await bucket.remove();
    } finally {
      releaseGateway?.();
      for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  return {
    get bucket() {
      return bucket!;
    },
    tempDir(dirLabel) {
      const dir = makeTempDir(dirLabel);
      tempDirs.push(dir);
      return dir;
    },
  };
}

// ------------------------------------------------------------ RGW outage coordination

/**
 * Test files run in parallel processes and share one gateway. Files that use
 * it register as users; the outage test takes the gateway exclusively
 * (waits until no other live process uses it) before stopping radosgw.
 */
const COORD_DIR = path.join(os.tmpdir(), `dvom-rgw-coord-${process.getuid?.() ?? 'u'}-${(process.env.DVOM_TEST_S3_ENDPOINT ?? '').replace(/[^A-Za-z0-9]+/g, '_')}`);
const USERS_DIR = path.join(COORD_DIR, 'users');
const OUTAGE_FILE = path.join(COORD_DIR, 'outage');
const WAIT_LIMIT_MS = 150_000;

const alive = isProcessAlive;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pid holding the outage marker, if that process is alive; a dead holder's marker is removed (and RGW restarted). */
async function outageHolder(): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(OUTAGE_FILE, 'utf8'));
  } catch {
    return undefined;
  }
  if (pid && alive(pid)) return pid;
  // Its process died while it had radosgw stopped: bring the gateway back.
  fs.rmSync(OUTAGE_FILE, { force: true });
  await rgw('start-rgw');
  return undefined;
}

/** Registers this process as a user of the gateway; resolves once no outage is going on. Returns the release function. */
export async function useGateway(): Promise<() => void> {
  fs.mkdirSync(USERS_DIR, { recursive: true });
  const file = path.join(USERS_DIR, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    if ((await outageHolder()) === undefined) {
      fs.writeFileSync(file, String(process.pid));
      const holder = await outageHolder();
      if (holder === undefined || holder === process.pid) break;
      fs.rmSync(file, { force: true });
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for another test file to finish its S3 outage test');
    await sleep(200);
  }
  return () => fs.rmSync(file, { force: true });
}

/**
 * Takes the gateway exclusively: waits until no other live process uses it
 * (and makes new users wait), so the caller may stop radosgw. The returned
 * release starts radosgw again (whatever the caller left) and lets users in.
 */
export async function acquireExclusiveGateway(): Promise<() => Promise<void>> {
  fs.mkdirSync(USERS_DIR, { recursive: true });
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(OUTAGE_FILE, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await outageHolder();
    if (Date.now() > deadline) throw new Error('timed out waiting for another outage test');
    await sleep(200);
  }
  const release = async () => {
    try {
      await rgw('start-rgw');
    } finally {
      fs.rmSync(OUTAGE_FILE, { force: true });
    }
  };
  try {
    for (;;) {
      const others = fs.readdirSync(USERS_DIR).filter((name) => {
        const pid = Number(name.split('-')[0]);
        if (pid === process.pid) return false;
        if (!alive(pid)) {
          fs.rmSync(path.join(USERS_DIR, name), { force: true });
          return false;
        }
        return true;
      });
      if (!others.length) break;
      if (Date.now() > deadline) throw new Error(`timed out waiting for other S3 test files to finish (${others.join(', ')})`);
      await sleep(200);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return release;
}

/** Runs scripts/services/ceph-rgw.sh ACTION (stop-rgw, start-rgw). */
export async function rgw(action: 'stop-rgw' | 'start-rgw'): Promise<void> {
  await run('bash', [RGW_SCRIPT, action], { cwd: REPO_ROOT, timeout: 120_000 });
}

// ------------------------------------------------------------ folders

/** A fresh temp folder. */
export function makeTempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dvom-s3-${label}-`));
}

/**
 * Every entry under `root` (root excluded): type, permission bits, mtime (ms),
 * size and SHA-256 of files, symlink targets. Equal manifests mean the trees
 * are byte-identical, metadata included.
 */
export function treeManifest(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string, rel: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const key = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(full);
      const meta = `${(st.mode & 0o7777).toString(8)} ${Math.trunc(st.mtimeMs)}`;
      if (st.isSymbolicLink()) out[key] = `symlink ${fs.readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${meta}`;
        visit(full, key);
      } else if (st.isFile()) {
        out[key] = `file ${meta} ${st.size} ${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`;
      } else out[key] = 'other';
    }
  };
  visit(root, '');
  return out;
}

/** A small tree: nested folders, an empty file and folder, a symlink, an executable, random and text data. */
export function makeDataset(dir: string, options: { randomBytes?: number; textBytes?: number } = {}): void {
  fs.mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'empty-dir'));
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello, dvom over S3\n');
  fs.writeFileSync(path.join(dir, 'empty.bin'), '');
  fs.writeFileSync(path.join(dir, 'sub', 'notes.md'), '# notes\nsome words repeat here\n'.repeat((options.textBytes ?? 64 * 1024) / 32));
  fs.writeFileSync(path.join(dir, 'sub', 'deeper', 'random.bin'), randomBytes(options.randomBytes ?? 300 * 1024 + 17));
  fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  fs.chmodSync(path.join(dir, 'run.sh'), 0o755);
  fs.symlinkSync('hello.txt', path.join(dir, 'link-to-hello'));
  const t = new Date('2021-03-04T05:06:07.891Z');
  for (const rel of ['hello.txt', 'sub/notes.md', 'sub/deeper/random.bin', 'sub/deeper', 'sub', 'empty-dir']) {
    fs.utimesSync(path.join(dir, rel), t, t);
  }
}
