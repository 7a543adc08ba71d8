/**
 * Append-only mode (S3 Object Lock) against a real Ceph RADOS Gateway: what
 * DVOM writes once is held in COMPLIANCE mode, so a client holding the very
 * same credentials cannot remove or replace it; after such an attack
 * `dvom recover` puts the backup back and it restores byte-identical. Normal
 * use (locks, key changes, verification records, forget, prune, delete) keeps
 * working and says what stays held. Skipped without DVOM_TEST_S3_ENDPOINT.
 *
 * Held objects cannot be removed before their date, so each run leaves its
 * bucket behind for HOLD_MS; the next run removes buckets whose holds ended.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  Repository,
  backup,
  deleteBackup,
  deleteVersion,
  folderSource,
  forget,
  prune,
  readVerifications,
  recordVerification,
  restoreToFolder,
  Layout,
  type Credential,
} from '../../src/main/engine/index.ts';
import { S3Backend } from '../../src/main/engine/storage/s3-backend.ts';
import { assertDvomError, CHEAP_SCRYPT } from '../engine/helpers.ts';
import { makeCliUser, type CliUser } from '../config/dvom-cli.ts';
import { SKIP_REASON, adminClient, makeDataset, makeTempDir, s3TestEnv, treeManifest, uniqueBucket, useGateway } from './s3-fixtures.ts';

const env = s3TestEnv();
const skip = env ? false : SKIP_REASON;
/** Long enough that nothing written by a test expires while it runs. */
const HOLD_MS = 15 * 60 * 1000;
const LABEL = 'objlock';
const PASSWORD: Credential = { kind: 'password', password: 'append only' };

let client: S3Client;
let bucket: string;
let releaseGateway: (() => void) | undefined;
const backends: S3Backend[] = [];
const tempDirs: string[] = [];

function tempDir(label: string): string {
  const dir = makeTempDir(label);
  tempDirs.push(dir);
  return dir;
}

function lockedStore(prefix: string, holdMs = HOLD_MS): S3Backend {
  const b = new S3Backend({
    bucket,
    prefix,
    endpoint: env!.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env!.accessKey, secretAccessKey: env!.secretKey },
    objectLock: { mode: 'COMPLIANCE', retentionMs: holdMs },
  });
  backends.push(b);
  return b;
}

interface Version {
  key: string;
  versionId: string;
  deleteMarker: boolean;
}

async function versionsUnder(prefix: string, name = bucket): Promise<Version[]> {
  const out: Version[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: name, Prefix: prefix, KeyMarker, VersionIdMarker }));
    for (const v of page.Versions ?? []) out.push({ key: v.Key!, versionId: v.VersionId!, deleteMarker: false });
    for (const m of page.DeleteMarkers ?? []) out.push({ key: m.Key!, versionId: m.VersionId!, deleteMarker: true });
    KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (KeyMarker);
  return out;
}

async function currentKeys(prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

async function readVersion(key: string, versionId?: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** Runs a request that must be refused (403); fails the test if the store accepted it. */
async function refused(what: string, request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (err) {
    assert.equal(status(err), 403, `${what}: ${(err as Error).message}`);
    return;
  }
  assert.fail(`${what} was accepted`);
}

/** Removes the buckets earlier runs left behind once their holds have ended (best effort). */
async function sweepOldBuckets(): Promise<void> {
  const { Buckets = [] } = await client.send(new ListBucketsCommand({}));
  for (const b of Buckets) {
    const m = /^dvom-objlock-([0-9a-z]+)-[0-9a-f]{8}$/.exec(b.Name ?? '');
    if (!m || Date.now() - parseInt(m[1]!, 36) < HOLD_MS + 5 * 60 * 1000) continue;
    try {
      for (const v of await versionsUnder('', b.Name)) {
        await client.send(new DeleteObjectCommand({ Bucket: b.Name, Key: v.key, VersionId: v.versionId }));
      }
      await client.send(new DeleteBucketCommand({ Bucket: b.Name }));
    } catch {
      // still held, or in use: a later run tries again
    }
  }
}

before(async () => {
  if (!env) return;
  releaseGateway = await useGateway();
  client = adminClient(env);
  await sweepOldBuckets();
  bucket = uniqueBucket(LABEL);
  await client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
});

after(() => {
  for (const b of backends) b.destroy();
  client?.destroy();
  releaseGateway?.();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The dataset, plus a random file big enough that its pack goes up as a multipart upload. */
function makeSource(): string {
  const source = tempDir('src');
  makeDataset(source);
  fs.writeFileSync(path.join(source, 'big.bin'), randomBytes(6 * 1024 * 1024 + 123));
  return source;
}

async function restoredManifest(store: S3Backend, name: string, versionId?: string): Promise<Record<string, string>> {
  const repo = await Repository.open(store, name, PASSWORD);
  const target = path.join(tempDir('restore'), 'out');
  await restoreToFolder(repo, await repo.version(versionId ?? 'latest'), target);
  return treeManifest(target);
}

describe('append-only mode (S3 Object Lock)', () => {
  test('a client with the same credentials cannot delete or replace held versions; after recover the backup restores byte-identical', { skip }, async () => {
    const prefix = 'attack';
    const store = lockedStore(prefix);
    const source = makeSource();
    const repo = await Repository.create(store, 'photos', { encrypted: true, credential: PASSWORD, scrypt: CHEAP_SCRYPT });
    await backup(repo, folderSource(source), { sourceKind: 'path' });
    const root = `${prefix}/backups/photos/`;

    // Every object DVOM wrote is held in COMPLIANCE mode (the multipart pack too); no lock is left, not even as a version.
    const originals = new Map<string, { versionId: string; sha: string }>();
    for (const v of await versionsUnder(root)) {
      assert.ok(!v.deleteMarker && !v.key.startsWith(`${root}locks/`), `unexpected ${v.key}${v.deleteMarker ? ' (delete marker)' : ''}`);
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }));
      assert.equal(head.ObjectLockMode, 'COMPLIANCE', v.key);
      assert.ok(head.ObjectLockRetainUntilDate!.getTime() > Date.now() + HOLD_MS / 2, v.key);
      originals.set(v.key, { versionId: v.versionId, sha: sha(await readVersion(v.key, v.versionId)) });
    }
    const keys = [...originals.keys()];
    for (const part of ['config.json', 'keyring.json', 'keys/', 'versions/', 'index/', 'packs/']) {
      assert.ok(keys.some((k) => k.startsWith(root + part)), `no ${part} in ${keys.join(', ')}`);
    }
    const packSizes = await Promise.all(keys.filter((k) => k.includes('/packs/')).map(async (k) => (await readVersion(k)).length));
    assert.ok(packSizes.some((size) => size > 5 * 1024 * 1024), 'one pack went up in parts');

    // A quiet attack first: hiding a version file. Prune must not take its data for unused (it would stop renewing it).
    const versionKey = keys.find((k) => k.includes('/versions/'))!;
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: versionKey }));
    await assertDvomError(prune(repo), 'INTEGRITY', /hidden or replaced .*dvom recover photos/);

    // The attack, with DVOM's own credentials.
    for (const [key, { versionId }] of originals) {
      await refused(`deleting ${key}`, client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })));
      await refused(
        `deleting ${key} bypassing governance`,
        client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, BypassGovernanceRetention: true })),
      );
      await refused(
        `shortening the hold of ${key}`,
        client.send(
          new PutObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + 60_000) } }),
        ),
      );
    }
    for (const key of keys) {
      // The config and the key list get garbage that is itself held, so recover cannot simply remove it.
      const holdToo = key.endsWith('/config.json') || key.endsWith('/keyring.json');
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: Buffer.from('encrypted by ransomware'),
          ...(holdToo ? { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(Date.now() + HOLD_MS) } : {}),
        }),
      );
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }
    assert.deepEqual(await currentKeys(root), [], 'the attack hid every object');
    await assertDvomError(Repository.open(store, 'photos', PASSWORD), 'NOT_FOUND');
    // ... but every original version is still there, unchanged.
    for (const [key, { versionId, sha: digest }] of originals) assert.equal(sha(await readVersion(key, versionId)), digest, key);

    // Recovery: `dvom recover` on an append-only target, then a restore.
    const user: CliUser = makeCliUser('objlock');
    try {
      const awsEnv = { AWS_ACCESS_KEY_ID: env!.accessKey, AWS_SECRET_ACCESS_KEY: env!.secretKey };
      await user.ok([
        'target', 'add', 'vault', '--type=s3', `--s3-bucket=${bucket}`, `--s3-prefix=${prefix}`, `--s3-endpoint=${env!.endpoint}`,
        '--s3-path-style', '--object-lock-days=1',
      ]);
      const tested = await user.ok(['target', 'test', 'vault'], { env: awsEnv });
      assert.match(tested.stdout, /works/);
      const recovered = await user.ok(['recover', 'photos', '--target=vault'], { env: awsEnv });
      assert.match(recovered.stdout, new RegExp(`${originals.size} object\\(s\\) put back`));
    } finally {
      user.remove();
    }
    for (const [key, { sha: digest }] of originals) {
      if (key.endsWith('/keyring.json')) continue; // its held garbage stays current; opening picks the newest sealed list
      assert.equal(sha(await readVersion(key)), digest, `${key} is current again`);
    }
    assert.deepEqual(await restoredManifest(store, 'photos'), treeManifest(source));
    const pruned = await prune(await Repository.open(store, 'photos', PASSWORD));
    assert.equal(pruned.packsDeleted, 0, 'after recover, prune works and finds nothing to delete');
  });

  test('backups, locks, key changes, verification records, forget, prune and delete work, and say what stays held', { skip }, async () => {
    const prefix = 'normal';
    const root = `${prefix}/backups/docs/`;
    const source = makeSource();
    fs.writeFileSync(path.join(source, 'keep.bin'), randomBytes(3 * 1024 * 1024)); // fills packs every version uses
    // The first version is held only briefly, so that forget and prune can remove it within the test.
    const brief = lockedStore(prefix, 5000);
    const store = lockedStore(prefix);
    await Repository.create(store, 'docs', { encrypted: true, credential: PASSWORD, scrypt: CHEAP_SCRYPT });
    const existing = new Set((await versionsUnder(root)).map((v) => v.versionId));
    // Small packs: the big file's chunks get packs of their own, and keep.bin fills packs that stay in use.
    const first = await backup(await Repository.open(brief, 'docs', PASSWORD), folderSource(source), {
      sourceKind: 'path',
      writer: { packSize: 1024 * 1024 },
    });
    let latestHold = 0;
    for (const v of (await versionsUnder(root)).filter((v) => !existing.has(v.versionId))) {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }));
      latestHold = Math.max(latestHold, head.ObjectLockRetainUntilDate?.getTime() ?? 0);
    }

    fs.rmSync(path.join(source, 'big.bin'));
    fs.writeFileSync(path.join(source, 'new.bin'), randomBytes(200 * 1024));
    const repo = await Repository.open(store, 'docs', PASSWORD);
    const second = await backup(repo, folderSource(source), { sourceKind: 'path' });
    const third = await backup(repo, folderSource(source), { sourceKind: 'path' });
    assert.deepEqual((await versionsUnder(`${root}locks/`)).length, 0, 'locks leave no versions behind');

    // Verification records are overwritten and never held.
    await recordVerification(repo, { versionId: second.id, method: 'test-restore', files: 1, bytes: 1 });
    await recordVerification(repo, { versionId: second.id, method: 'test-restore', files: 2, bytes: 2 });
    const records = await readVerifications(store, new Layout('docs'), { macKey: repo.keys!.metaMac, repoId: repo.config.id });
    assert.equal(records.get(second.id)?.files, 2);
    for (const v of await versionsUnder(`${root}verified/`)) {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }));
      assert.equal(head.ObjectLockMode, undefined, 'a verification record is not held');
    }

    // Key changes rewrite the (held) key list; a removed key stays stored but no longer opens.
    const other: Credential = { kind: 'password', password: 'second key' };
    const added = await repo.locked('key add', true, () => repo.addKey(other, 'second', CHEAP_SCRYPT));
    const firstKey = (await repo.listKeys()).find((k) => k.id !== added.id)!;
    await repo.locked('key remove', true, () => repo.removeKey(firstKey.id));
    assert.ok((await currentKeys(`${root}keys/`)).some((k) => k.endsWith(`${firstKey.id}.json`)), 'the held key file stays');
    await assert.rejects(Repository.open(store, 'docs', PASSWORD));
    const reopened = await Repository.open(store, 'docs', other);

    // Nothing held is deleted: the newest version cannot be, and a whole backup is refused with nothing removed.
    await assertDvomError(deleteVersion(reopened, second.id), 'RETAINED', /held by S3 Object Lock until/);
    await assertDvomError(deleteBackup(store, 'docs'), 'RETAINED', /nothing was deleted/);
    assert.equal((await reopened.versions()).length, 3);

    // Once the first version's hold has ended (by the store's own dates), forget removes it; the second stays held.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, latestHold - Date.now() + 1000)));
    const forgotten = await forget(reopened, { last: 1 });
    assert.deepEqual(forgotten.decision.remove.map((v) => v.id).sort(), [first.id, second.id].sort());
    assert.deepEqual(forgotten.held.map((h) => h.version.id), [second.id], 'forget says which versions stay held');
    assert.ok(forgotten.held[0]!.until.getTime() > Date.now() + HOLD_MS / 2);
    assert.deepEqual((await reopened.versions()).map((v) => v.id).sort(), [second.id, third.id].sort());

    const report = await prune(reopened);
    // Chunks at the big file's ends may share a pack with data still in use; the rest is freed.
    assert.ok(report.packsDeleted >= 1 && report.bytesFreed > 4 * 1024 * 1024, `the first version's big packs are gone: ${JSON.stringify(report)}`);
    assert.ok(report.indexFilesHeld >= 1, "the later backups' index files are still held");
    assert.ok(report.heldUntil && report.heldUntil.getTime() > Date.now() + HOLD_MS / 2);
    // Data the remaining versions still use is held again for the full period, however old it is.
    assert.ok(report.holdsRenewed >= 1, JSON.stringify(report));
    for (const key of await currentKeys(root)) {
      if (/\/(locks|verified|index)\//.test(key)) continue;
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      assert.ok((head.ObjectLockRetainUntilDate?.getTime() ?? 0) > Date.now() + HOLD_MS / 2, `${key} is held again`);
    }
    // Freed means freed: no version of a deleted pack is left behind.
    const packsLeft = new Set((await versionsUnder(`${root}packs/`)).map((v) => v.key));
    assert.deepEqual([...packsLeft].sort(), (await currentKeys(`${root}packs/`)).sort());
    // A second prune finds nothing new to free, and the remaining version restores.
    const again = await prune(reopened);
    assert.equal(again.packsDeleted, 0);
    const expected = treeManifest(source);
    const repoAfter = await Repository.open(store, 'docs', other);
    const target = path.join(tempDir('restore'), 'out');
    await restoreToFolder(repoAfter, await repoAfter.version(third.id), target);
    assert.deepEqual(treeManifest(target), expected);
  });

  test('an append-only target on a bucket without Object Lock fails its test with a clear message', { skip }, async () => {
    const plain = uniqueBucket('nolock');
    await client.send(new CreateBucketCommand({ Bucket: plain }));
    const user = makeCliUser('objlock-plain');
    try {
      const awsEnv = { AWS_ACCESS_KEY_ID: env!.accessKey, AWS_SECRET_ACCESS_KEY: env!.secretKey };
      await user.ok(['target', 'add', 'nolock', '--type=s3', `--s3-bucket=${plain}`, `--s3-endpoint=${env!.endpoint}`, '--s3-path-style', '--object-lock-days=7']);
      const r = await user.run(['target', 'test', 'nolock'], { env: awsEnv });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /does not have S3 Object Lock enabled/);
      const bad = await user.run(['target', 'add', 'x', '--type=s3', `--s3-bucket=${plain}`, '--object-lock-days=0']);
      assert.equal(bad.code, 2, bad.stderr);
    } finally {
      user.remove();
      await client.send(new DeleteBucketCommand({ Bucket: plain }));
    }
  });
});
