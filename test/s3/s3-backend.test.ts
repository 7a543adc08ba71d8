/**
 * The S3 store against a real Ceph RADOS Gateway, at the engine level: the
 * StorageBackend contract, backups through S3, error reporting (credentials,
 * permissions, missing bucket) and a gateway outage in the middle of a backup.
 * Skipped (with the reason) when DVOM_TEST_S3_ENDPOINT is not set.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  DvomError,
  Repository,
  backup,
  folderSource,
  isDvomError,
  prune,
  readRepoConfig,
  restoreToFolder,
  verify,
} from '../../src/main/engine/index.ts';
import type { Credential, ErrorCode, StorageBackend } from '../../src/main/engine/index.ts';
import { S3Backend, s3ClientConfig, type S3Settings } from '../../src/main/engine/storage/s3-backend.ts';
import {
  REPO_ROOT,
  SKIP_REASON,
  acquireExclusiveGateway,
  makeDataset,
  rgw,
  s3TestEnv,
  treeManifest,
  useS3TestFile,
} from './s3-fixtures.ts';
import { assertDvomError } from '../engine/helpers.ts';

const env = s3TestEnv();
const skip = env ? false : SKIP_REASON;
const PASSWORD: Credential = { kind: 'password', password: 'S3 test password' };
const SCRYPT = { N: 1024, r: 8, p: 1 };
/** Small chunks, so a few MiB make many chunks and (with 256 KiB packs) many packs. */
const SMALL_CHUNKS = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };
const WRONG_SECRET = `wrong-${randomBytes(8).toString('hex')}`;

const fixture = useS3TestFile(env, 'engine');
const { tempDir } = fixture;
/** Every error the tests saw: none may contain a secret key. */
const seenErrors: unknown[] = [];

/** Every text an error exposes: message, stack and causes. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String((e as Error).message ?? e), String((e as Error).stack ?? ''));
  }
  return parts.join('\n');
}

function assertNoSecret(err: unknown): void {
  const text = errorText(err);
  for (const secret of [env!.secretKey, env!.roSecretKey, WRONG_SECRET]) {
    assert.ok(!text.includes(secret), `an error exposes a secret key: ${text}`);
  }
}

/** Awaits a rejection with a DvomError of `code` whose message matches `message` and shows no secret key. */
async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, message: RegExp): Promise<DvomError> {
  const seen = promise.catch((err: unknown) => {
    seenErrors.push(err);
    throw err;
  });
  const err = await assertDvomError(seen, code, message);
  assertNoSecret(err);
  return err;
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function listKeys(backend: StorageBackend, prefix: string): Promise<string[]> {
  return (await drain(backend.list(prefix))).map((o) => o.key).sort();
}

function otherBackend(settings: Partial<S3Settings>): S3Backend {
  return new S3Backend({ bucket: fixture.bucket.name, endpoint: env!.endpoint, forcePathStyle: true, ...settings });
}

describe('StorageBackend contract on S3', () => {
  test('put, get, getRange, getStream, stat, list and delete, under a prefix', { skip }, async () => {
    const store = fixture.bucket.backend({ prefix: 'contract/basic/' });
    assert.equal(store.location, `s3://${fixture.bucket.name}/contract/basic/`);
    const data = randomBytes(200_000);
    await store.put('objects/one.bin', data);
    await store.put('objects/two.bin', (async function* () {
      yield Buffer.from('streamed ');
      yield Buffer.from('body');
    })());
    await store.put('other/three.bin', Buffer.alloc(0));

    // The prefix is part of the object key in the bucket, but not of DVOM's keys.
    assert.deepEqual(await fixture.bucket.keys('contract/basic/'), [
      'contract/basic/objects/one.bin',
      'contract/basic/objects/two.bin',
      'contract/basic/other/three.bin',
    ]);
    assert.ok((await store.get('objects/one.bin')).equals(data));
    assert.equal((await store.get('objects/two.bin')).toString(), 'streamed body');
    assert.equal((await store.get('other/three.bin')).length, 0);
    assert.ok(Buffer.concat(await drain(store.getStream('objects/one.bin'))).equals(data));

    assert.ok((await store.getRange('objects/one.bin', 1000, 5000)).equals(data.subarray(1000, 6000)));
    assert.ok((await store.getRange('objects/one.bin', 199_990, 100)).equals(data.subarray(199_990)), 'a range past the end is cut short');
    assert.equal((await store.getRange('objects/one.bin', 300_000, 10)).length, 0, 'a range starting past the end is empty');
    assert.equal((await store.getRange('objects/one.bin', 5, 0)).length, 0);

    const st = await store.stat('objects/one.bin');
    assert.equal(st?.key, 'objects/one.bin');
    assert.equal(st?.size, data.length);
    assert.ok(st && Math.abs(st.modified.getTime() - Date.now()) < 10 * 60_000, 'modified time is the upload time');

    const listed = await drain(store.list('objects/'));
    assert.deepEqual(listed.map((o) => [o.key, o.size]).sort(), [['objects/one.bin', data.length], ['objects/two.bin', 13]]);
    assert.deepEqual(await listKeys(store, ''), ['objects/one.bin', 'objects/two.bin', 'other/three.bin']);
    // A sibling prefix is a different store.
    const sibling = fixture.bucket.backend({ prefix: 'contract/basic-2' });
    await sibling.put('objects/one.bin', Buffer.from('sibling'));
    assert.deepEqual(await listKeys(store, 'objects/'), ['objects/one.bin', 'objects/two.bin']);
    assert.ok((await store.get('objects/one.bin')).equals(data));

    await store.delete('objects/one.bin');
    assert.equal(await store.stat('objects/one.bin'), undefined);
    assert.deepEqual(await listKeys(store, ''), ['objects/two.bin', 'other/three.bin']);
    assert.equal((await sibling.get('objects/one.bin')).toString(), 'sibling');
  });

  test('missing objects: NOT_FOUND on reads, undefined from stat, deleting is no error', { skip }, async () => {
    const store = fixture.bucket.backend({ prefix: 'contract/missing' });
    await rejectsWith(store.get('nope/a'), 'NOT_FOUND', /not found in s3:\/\//);
    await rejectsWith(drain(store.getStream('nope/a')), 'NOT_FOUND', /not found/);
    await rejectsWith(store.getRange('nope/a', 0, 10), 'NOT_FOUND', /not found/);
    assert.equal(await store.stat('nope/a'), undefined);
    await store.delete('nope/a');
    assert.deepEqual(await listKeys(store, 'nope/'), []);
  });

  test('keys that could escape the store are refused before any request', { skip }, async () => {
    const store = fixture.bucket.backend({ prefix: 'contract/keys' });
    for (const key of ['../escape', 'a/../../b', '/abs', 'a//b', 'a/.tmp-x', '']) {
      await assert.rejects(store.put(key, Buffer.from('x')), /invalid storage key/, key);
      await assert.rejects(store.get(key), /invalid storage key/, key);
    }
    assert.deepEqual(await fixture.bucket.keys('contract/keys'), []);
  });

  test('a create-only put refuses an existing key with ALREADY_EXISTS; overwrite replaces it', { skip }, async () => {
    const store = fixture.bucket.backend({ prefix: 'contract/create-only' });
    await store.put('locks/a.json', Buffer.from('first'));
    await rejectsWith(store.put('locks/a.json', Buffer.from('second')), 'ALREADY_EXISTS', /already exists/);
    assert.equal((await store.get('locks/a.json')).toString(), 'first', 'the refused put changed nothing');
    await store.put('locks/a.json', Buffer.from('third'), { overwrite: true });
    assert.equal((await store.get('locks/a.json')).toString(), 'third');
    // Two writers racing for the same key: exactly one wins.
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => store.put('locks/race.json', Buffer.from(`writer ${i}`))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1, 'exactly one create-only put of the same key succeeds');
    for (const r of results) if (r.status === 'rejected') assert.ok(isDvomError(r.reason, 'ALREADY_EXISTS'), String(r.reason));
  });

  test(
    'a create-only put of a multipart-sized object (> 8 MiB) refuses an existing key',
    { skip },
    async () => {
      const store = fixture.bucket.backend({ prefix: 'contract/multipart' });
      const first = randomBytes(9 * 1024 * 1024);
      await store.put('packs/big', first);
      assert.ok((await store.get('packs/big')).equals(first), 'a multipart upload stores the object intact');
      await rejectsWith(store.put('packs/big', randomBytes(9 * 1024 * 1024)), 'ALREADY_EXISTS', /already exists/);
      assert.ok((await store.get('packs/big')).equals(first), 'the existing object was overwritten');
    },
  );

  test('list follows continuation tokens across pages', { skip }, async () => {
    // Forcing a small page (MaxKeys=4) makes RGW paginate a few objects exactly
    // as it paginates > 1000 by default, without uploading a thousand objects.
    const client = new S3Client(
      s3ClientConfig({ bucket: fixture.bucket.name, endpoint: env!.endpoint, credentials: { accessKeyId: env!.accessKey, secretAccessKey: env!.secretKey } }),
    );
    let listCalls = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ListObjectsV2Command') {
          listCalls++;
          (args.input as { MaxKeys?: number }).MaxKeys = 4;
        }
        return next(args);
      },
      { step: 'initialize', name: 'smallPages' },
    );
    const store = new S3Backend({ bucket: fixture.bucket.name, endpoint: env!.endpoint, prefix: 'contract/pages' }, client);
    try {
      const keys = Array.from({ length: 13 }, (_, i) => `index/${String(i).padStart(3, '0')}`);
      await Promise.all(keys.map((k) => store.put(k, Buffer.from(k))));
      await store.put('zzz/other', Buffer.from('not under index/'));
      listCalls = 0;
      const listed = await drain(store.list('index/'));
      assert.deepEqual(listed.map((o) => o.key).sort(), keys, 'every object of every page, once');
      assert.equal(listCalls, 4, '13 objects in pages of 4 take 4 requests');
      // The raw page really was truncated (the server honoured MaxKeys).
      const page = await client.send(new ListObjectsV2Command({ Bucket: fixture.bucket.name, Prefix: 'contract/pages/index/' }));
      assert.equal(page.IsTruncated, true);
      assert.equal(page.Contents?.length, 4);
      // A multiple of the page size ends cleanly too.
      listCalls = 0;
      assert.equal((await drain(store.list(''))).length, 14);
      assert.equal(listCalls, 4);
    } finally {
      store.destroy();
    }
  });
});

describe('backups through S3', () => {
  test('an encrypted and a plain backup restore byte-identical; only the plain one stores readable data', { skip }, async () => {
    const store = fixture.bucket.backend({ prefix: 'roundtrip' });
    const source = tempDir('src');
    makeDataset(source);
    const marker = `unique plaintext marker ${randomBytes(6).toString('hex')}`;
    fs.writeFileSync(path.join(source, 'marker.txt'), marker.repeat(3));
    const expected = treeManifest(source);

    for (const encrypted of [true, false]) {
      const name = encrypted ? 'secret' : 'plain';
      const created = await Repository.create(store, name, encrypted ? { encrypted, credential: PASSWORD, scrypt: SCRYPT } : { encrypted });
      const version = await backup(created, folderSource(source), { sourceKind: 'path' });
      assert.equal(version.stats.files, 6);
      assert.equal(version.stats.links, 1);
      const reopened = await Repository.open(store, name, encrypted ? PASSWORD : undefined);
      assert.deepEqual((await reopened.versions()).map((v) => v.id), [version.id]);
      const target = path.join(tempDir('restore'), 'out');
      await restoreToFolder(reopened, await reopened.version('latest'), target);
      assert.deepEqual(treeManifest(target), expected, `${name} backup restores byte-identical`);

      let plaintextSeen = false;
      for (const key of await listKeys(store, `backups/${name}/`)) {
        if ((await store.get(key)).includes(marker)) plaintextSeen = true;
      }
      assert.equal(plaintextSeen, !encrypted, encrypted ? 'the encrypted backup stores plaintext' : 'the plain backup should store the marker as is');
    }
    await rejectsWith(Repository.open(store, 'secret', { kind: 'password', password: 'not it' }), 'WRONG_PASSWORD', /wrong password/);
  });

  test('a multi-pack backup verifies clean with readData, restores, and a second run adds no packs', { skip }, async () => {
    const store = fixture.bucket.backend({ prefix: 'multipack' });
    const source = tempDir('multi');
    makeDataset(source, { randomBytes: 4 * 1024 * 1024, textBytes: 1024 * 1024 });
    fs.writeFileSync(path.join(source, 'more.bin'), randomBytes(1024 * 1024 + 3));
    const repo = await Repository.create(store, 'multi', { encrypted: true, credential: PASSWORD, scrypt: SCRYPT, chunker: SMALL_CHUNKS });
    const writer = { packSize: 256 * 1024 };
    await backup(repo, folderSource(source), { sourceKind: 'path', writer });
    const packs = await listKeys(store, 'backups/multi/packs/');
    assert.ok(packs.length >= 15, `expected many packs of 256 KiB, got ${packs.length}`);

    const report = await verify(repo, { readData: true });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.notes, []);
    assert.equal(report.packs, packs.length);
    assert.ok(report.bytesRead > 5 * 1024 * 1024, `read ${report.bytesRead} bytes`);

    const second = await backup(repo, folderSource(source), { sourceKind: 'path', writer });
    assert.equal(second.stats.addedBytes, 0, 'unchanged data is deduplicated');
    assert.equal((await listKeys(store, 'backups/multi/packs/')).length, packs.length);

    const target = path.join(tempDir('multi-restore'), 'out');
    const reopened = await Repository.open(store, 'multi', PASSWORD);
    await restoreToFolder(reopened, await reopened.version(second.id), target);
    assert.deepEqual(treeManifest(target), treeManifest(source));
  });
});

describe('S3 errors', () => {
  test('wrong credentials: a DvomError naming the credentials, never the secret', { skip }, async () => {
    const good = fixture.bucket.backend({ prefix: 'errors' });
    await Repository.create(good, 'cred', { encrypted: false });
    const wrongSecret = otherBackend({ prefix: 'errors', credentials: { accessKeyId: env!.accessKey, secretAccessKey: WRONG_SECRET } });
    const unknownKey = otherBackend({ prefix: 'errors', credentials: { accessKeyId: 'DVOMNOSUCHKEY', secretAccessKey: WRONG_SECRET } });
    try {
      const rejected = /S3 rejected the credentials for s3:\/\/.* \((SignatureDoesNotMatch|InvalidAccessKeyId)\); check the access key and secret/;
      await rejectsWith(Repository.open(wrongSecret, 'cred'), 'ERROR', rejected);
      await rejectsWith(wrongSecret.put('x/y', Buffer.from('x')), 'ERROR', /SignatureDoesNotMatch/);
      await rejectsWith(listKeys(wrongSecret, ''), 'ERROR', rejected);
      await rejectsWith(readRepoConfig(unknownKey, 'cred'), 'ERROR', /InvalidAccessKeyId/);
      // HEAD responses carry no error code: the message can only say access was denied.
      await rejectsWith(wrongSecret.stat('backups/cred/config.json'), 'ERROR', /credentials/);
      assert.deepEqual(await fixture.bucket.keys('errors/x'), [], 'nothing was written');
    } finally {
      wrongSecret.destroy();
      unknownKey.destroy();
    }
  });

  test('a read-only user on the bucket: access denied', { skip }, async () => {
    const ro = otherBackend({ prefix: 'errors-ro', credentials: { accessKeyId: env!.roAccessKey, secretAccessKey: env!.roSecretKey } });
    const good = fixture.bucket.backend({ prefix: 'errors-ro' });
    await Repository.create(good, 'owned', { encrypted: false });
    try {
      const denied = /access denied to s3:\/\/.* while trying to/;
      await rejectsWith(Repository.create(ro, 'mine', { encrypted: false }), 'ERROR', denied);
      await rejectsWith(Repository.open(ro, 'owned'), 'ERROR', denied);
      await rejectsWith(ro.put('probe', Buffer.from('x')), 'ERROR', /access denied .* while trying to store probe/);
      await rejectsWith(listKeys(ro, ''), 'ERROR', denied);
      assert.deepEqual(await fixture.bucket.keys('errors-ro/backups/mine'), []);
    } finally {
      ro.destroy();
    }
  });

  test('a missing bucket: NOT_FOUND saying the bucket does not exist', { skip }, async () => {
    const missingName = `${fixture.bucket.name}-missing`;
    const missing = new S3Backend({
      bucket: missingName,
      endpoint: env!.endpoint,
      credentials: { accessKeyId: env!.accessKey, secretAccessKey: env!.secretKey },
    });
    try {
      const gone = new RegExp(`bucket of s3://${missingName}/ does not exist at ${env!.endpoint}; create it first`);
      await rejectsWith(Repository.create(missing, 'b', { encrypted: false }), 'NOT_FOUND', gone);
      await rejectsWith(listKeys(missing, ''), 'NOT_FOUND', gone);
      await rejectsWith(missing.get('a'), 'NOT_FOUND', gone);
    } finally {
      missing.destroy();
    }
  });

  test(
    'opening a backup in a missing bucket says the bucket does not exist',
    { skip },
    async () => {
      const missing = new S3Backend({
        bucket: `${fixture.bucket.name}-missing`,
        endpoint: env!.endpoint,
        credentials: { accessKeyId: env!.accessKey, secretAccessKey: env!.secretKey },
      });
      try {
        await rejectsWith(Repository.open(missing, 'b', PASSWORD), 'NOT_FOUND', /bucket .* does not exist/);
        await rejectsWith(readRepoConfig(missing, 'b'), 'NOT_FOUND', /bucket .* does not exist/);
      } finally {
        missing.destroy();
      }
    },
  );
});

/**
 * The production S3 client configuration with a gate for the tests: after
 * `gateAfter` pack uploads, further pack uploads wait for `gate` (so the
 * outage surely hits a backup in the middle of its uploads, however fast the
 * machine), and the first failed request reports how often the SDK tried it.
 */
function gatedClient(settings: S3Settings, gateAfter: number, gate: Promise<void>, onHeld: () => void, onFailure: (attempts: number | undefined) => void): S3Client {
  const client = new S3Client(s3ClientConfig(settings));
  let packPuts = 0;
  let packsStored = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const isPack = context.commandName === 'PutObjectCommand' && ((args.input as { Key?: string }).Key ?? '').includes('/packs/');
      if (isPack && ++packPuts > gateAfter) {
        // Held once the uploads before it are complete, so exactly `gateAfter` packs reach the store.
        while (packsStored < gateAfter) await new Promise((resolve) => setTimeout(resolve, 10));
        onHeld();
        await gate;
      }
      try {
        const out = await next(args);
        if (isPack) packsStored++;
        return out;
      } catch (err) {
        onFailure((err as { $metadata?: { attempts?: number } }).$metadata?.attempts);
        throw err;
      }
    },
    { step: 'initialize', name: 'outageGate' },
  );
  return client;
}

interface ChildResult {
  ok: boolean;
  id?: string;
  isDvomError?: boolean;
  code?: string;
  message?: string;
  stack?: string;
}

/**
 * Runs a backup in a child process (so its leftover lock is a dead process's
 * lock, as with the CLI). After `gateAfter` pack uploads it creates
 * `heldFile` and holds further uploads until `gateFile` exists.
 */
function backupInChild(options: { settings: S3Settings; name: string; dir: string; gateAfter: number; heldFile: string; gateFile: string }) {
  const script = `
    import { existsSync, writeFileSync } from 'node:fs';
    const cfg = JSON.parse(process.env.DVOM_TEST_CHILD);
    const { S3Backend, s3ClientConfig } = await import(cfg.s3Url);
    const { S3Client } = await import('@aws-sdk/client-s3');
    const { Repository, backup, folderSource } = await import(cfg.engineUrl);
    const client = new S3Client(s3ClientConfig(cfg.settings));
    let packPuts = 0;
    let packsStored = 0;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    client.middlewareStack.add((next, context) => async (args) => {
      const isPack = context.commandName === 'PutObjectCommand' && String(args.input.Key).includes('/packs/');
      if (isPack && ++packPuts > cfg.gateAfter) {
        while (packsStored < cfg.gateAfter) await sleep(10);
        writeFileSync(cfg.heldFile, '');
        while (!existsSync(cfg.gateFile)) await sleep(20);
      }
      const out = await next(args);
      if (isPack) packsStored++;
      return out;
    }, { step: 'initialize', name: 'outageGate' });
    const store = new S3Backend(cfg.settings, client);
    let result;
    try {
      const repo = await Repository.open(store, cfg.name, cfg.credential);
      const version = await backup(repo, folderSource(cfg.dir), { sourceKind: 'path', writer: { packSize: cfg.packSize } });
      result = { ok: true, id: version.id };
    } catch (err) {
      result = { ok: false, isDvomError: err?.name === 'DvomError', code: err?.code, message: String(err?.message), stack: String(err?.stack) };
    }
    store.destroy();
    process.stdout.write(JSON.stringify(result));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DVOM_TEST_CHILD: JSON.stringify({
        s3Url: pathToFileURL(path.join(REPO_ROOT, 'src/main/engine/storage/s3-backend.ts')).href,
        engineUrl: pathToFileURL(path.join(REPO_ROOT, 'src/main/engine/index.ts')).href,
        packSize: PACK_SIZE,
        credential: PASSWORD,
        ...options,
      }),
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise<ChildResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout) as ChildResult);
      } catch {
        reject(new Error(`backup child printed no result\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

/** Waits until `ready()` holds, failing if `ended()` first (the backup finished before the outage). */
async function waitUntil(ready: () => boolean, ended: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!ready()) {
    assert.ok(!ended(), `the backup ended before ${what}`);
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const PACK_SIZE = 256 * 1024;
/** Pack uploads that go through before the outage. */
const GATE_AFTER = 3;

describe('gateway outage during a backup', () => {
  const name = 'outage';
  const prefix = 'outage';
  let releaseExclusive: (() => Promise<void>) | undefined;
  let small: string;
  let big: string;
  let settings: S3Settings;

  before(async () => {
    if (!env) return;
    small = tempDir('outage-small');
    makeDataset(small);
    big = tempDir('outage-big');
    makeDataset(big, { randomBytes: 3 * 1024 * 1024, textBytes: 256 * 1024 });
    settings = {
      bucket: fixture.bucket.name,
      prefix,
      endpoint: env.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: env.accessKey, secretAccessKey: env.secretKey },
    };
    // Stopping radosgw must not break other test files' requests: wait until they are done.
    releaseExclusive = await acquireExclusiveGateway();
  });

  after(async () => {
    await releaseExclusive?.();
  });

  test('the backup fails clearly and leaves no version; after a restart a new backup works and every version restores', { skip }, async (t) => {
    const store = fixture.bucket.backend({ prefix });
    const repo = await Repository.create(store, name, { encrypted: true, credential: PASSWORD, scrypt: SCRYPT, chunker: SMALL_CHUNKS });
    const first = await backup(repo, folderSource(small), { sourceKind: 'path' });
    const packsBefore = (await fixture.bucket.keys(`${prefix}/backups/${name}/packs/`)).length;

    const signals = tempDir('outage-signals');
    const heldFile = path.join(signals, 'held');
    const gateFile = path.join(signals, 'gate');
    let ended = false;
    const running = backupInChild({ settings, name, dir: big, gateAfter: GATE_AFTER, heldFile, gateFile }).finally(() => (ended = true));
    await waitUntil(() => fs.existsSync(heldFile), () => ended, `${GATE_AFTER} packs were uploaded`);
    await rgw('stop-rgw');
    const stoppedAt = Date.now();
    fs.writeFileSync(gateFile, '');
    const result = await running;
    const failedAfterMs = Date.now() - stoppedAt;
    assert.equal(result.ok, false, 'the backup succeeded although the gateway was stopped mid-upload');
    assert.equal(result.isDvomError, true, `not a DvomError: ${result.stack}`);
    assert.equal(result.code, 'ERROR');
    assert.match(result.message!, /cannot reach the S3 endpoint at http:\/\/127\.0\.0\.1:\d+ \((ECONNREFUSED|ECONNRESET|EPIPE)\)/);
    assertNoSecret(Object.assign(new Error(result.message), { stack: result.stack }));

    await rgw('start-rgw');
    const afterOutage = await Repository.open(store, name, PASSWORD);
    assert.deepEqual((await afterOutage.versions()).map((v) => v.id), [first.id], 'the interrupted backup left a version');
    const orphans = (await fixture.bucket.keys(`${prefix}/backups/${name}/packs/`)).length - packsBefore;
    assert.equal(orphans, GATE_AFTER, 'exactly the packs uploaded before the outage are in the bucket');
    t.diagnostic(`the backup failed ${failedAfterMs} ms after radosgw was stopped`);
    const interrupted = await verify(afterOutage, { readData: true });
    assert.deepEqual(interrupted.errors, []);
    assert.match(interrupted.notes.join('\n'), new RegExp(`^${GATE_AFTER} pack\\(s\\) are not referenced by any index .* prune removes them`));

    // The child's lock is a dead process's lock: the next backup may go ahead.
    const second = await backup(afterOutage, folderSource(big), { sourceKind: 'path', writer: { packSize: PACK_SIZE } });
    // The child that uploaded the orphans has exited: no need to spare packs younger than the lock timeout.
    const pruned = await prune(afterOutage, { unindexedGraceMs: 0 });
    assert.ok(pruned.packsDeleted >= orphans, `prune removed ${pruned.packsDeleted} of ${orphans} orphaned packs`);

    const final = await Repository.open(store, name, PASSWORD);
    const report = await verify(final, { readData: true });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.notes, []);
    const versions = await final.versions();
    assert.deepEqual(versions.map((v) => v.id), [first.id, second.id]);
    for (const [version, source] of [[versions[0]!, small], [versions[1]!, big]] as const) {
      const target = path.join(tempDir('outage-restore'), 'out');
      await restoreToFolder(final, version, target);
      assert.deepEqual(treeManifest(target), treeManifest(source), `version ${version.id} restores byte-identical`);
    }
    assert.deepEqual(await fixture.bucket.keys(`${prefix}/backups/${name}/locks/`), [], 'no lock is left');
  });

  describe('in the same process', () => {
    let failure: unknown;
    let attempts: number | undefined;
    let retryError: unknown;
    let store: S3Backend | undefined;

    test('the backup fails after the SDK retried, with a clear error and no new version', { skip }, async () => {
      let openGate!: () => void;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      let held = false;
      const client = gatedClient(settings, GATE_AFTER, gate, () => (held = true), (n) => (attempts ??= n));
      store = new S3Backend(settings, client);
      const repo = await Repository.open(store, name, PASSWORD);
      const versionsBefore = (await repo.versions()).map((v) => v.id);
      fs.writeFileSync(path.join(big, 'changed.bin'), randomBytes(2 * 1024 * 1024));
      let ended = false;
      const running = backup(repo, folderSource(big), { sourceKind: 'path', writer: { packSize: PACK_SIZE } }).finally(() => (ended = true));
      running.catch(() => undefined);
      await waitUntil(() => held, () => ended, `${GATE_AFTER} packs were uploaded`);
      await rgw('stop-rgw');
      openGate();
      try {
        await running;
      } catch (err) {
        failure = err;
      }
      seenErrors.push(failure);
      assert.ok(failure !== undefined, 'the backup succeeded although the gateway was stopped');
      assert.ok(isDvomError(failure, 'ERROR'), errorText(failure));
      assert.match((failure as Error).message, /cannot reach the S3 endpoint at .* \((ECONNREFUSED|ECONNRESET|EPIPE)\) while trying to /);
      assertNoSecret(failure);
      assert.equal(attempts, 5, 'the failed request was attempted maxAttempts (5) times');

      await rgw('start-rgw');
      const reopened = await Repository.open(fixture.bucket.backend({ prefix }), name, PASSWORD);
      assert.deepEqual((await reopened.versions()).map((v) => v.id), versionsBefore, 'the interrupted backup left a version');
      try {
        await backup(repo, folderSource(small), { sourceKind: 'path' });
      } catch (err) {
        retryError = err;
        seenErrors.push(err);
      }
    });

    test(
      'the error names the failed upload, not the lock clean-up',
      { skip },
      () => {
        assert.ok(failure instanceof Error);
        assert.doesNotMatch(failure.message, /while trying to delete .*locks\//);
        assert.match(failure.message, /while trying to store .*packs\//);
      },
    );

    test(
      'once the gateway is back, the same process can back up again at once',
      { skip },
      () => {
        assert.ok(failure instanceof Error, 'the outage backup did not fail');
        assert.equal(retryError, undefined, `the backup after the outage failed: ${(retryError as Error | undefined)?.message}`);
      },
    );

    after(() => store?.destroy());
  });
});

test('no error message exposes a secret key', { skip }, () => {
  assert.ok(seenErrors.length >= 15, `only ${seenErrors.length} errors were checked`);
  for (const err of seenErrors) assertNoSecret(err);
});
