/**
 * Backups on a second storage target through the API the app uses (issue
 * 14): a backup made on a named folder target (and on an S3 target at the
 * Ceph gateway, when it runs) is listed on that target only, its versions and
 * files are read there, the Volumes list gives each volume's last backup per
 * target, a restore from it brings back the same bytes, and every job names
 * its target, in its title and in the history file. A target that cannot be
 * read hides nothing of the others. Settings are tested before they are saved.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../src/shared/api/client.ts';
import type { JobDto } from '../../src/shared/api/dto.ts';
import { jobHistoryPath } from '../../src/main/services/job-history.ts';
import { acquireDockerLock, DockerScope, dockerSkipReason, ensureEmptyImage } from './docker-helpers.ts';
import { isolateEnvironment, TRANSPORTS, type ApiHarness } from './transports.ts';
import { createTestBucket, s3TestEnv, useGateway, type TestBucket } from '../s3/s3-fixtures.ts';

const envDir = isolateEnvironment();
after(() => fs.rm(envDir, { recursive: true, force: true }));

const skip = await dockerSkipReason();
const s3 = s3TestEnv();

describe('backups on a second storage target, through the app API', { skip }, () => {
  const scope = new DockerScope();
  let release: (() => Promise<void>) | undefined;
  let releaseGateway: (() => void) | undefined;
  let bucket: TestBucket | undefined;
  let h: ApiHarness;
  let root = '';
  let volume = '';
  const content = randomBytes(100_003);

  /** Starts a job and waits for its end; fails unless it succeeded. */
  async function finished(start: Promise<{ jobId: string }>): Promise<JobDto> {
    const { jobId } = await start;
    const job = await h.app.jobs.wait(jobId);
    assert.ok(job, `job ${jobId} lost`);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    return job;
  }

  before(async () => {
    release = await acquireDockerLock();
    await ensureEmptyImage();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-api-targets-'));
    const data = path.join(root, 'data');
    await fs.mkdir(data);
    await fs.writeFile(path.join(data, 'payload.bin'), content);
    volume = await scope.volume('wp');
    await scope.fill(volume, data);
    h = await TRANSPORTS.find((t) => t.name === 'ws')!.create();
    await h.client.call('targets.save', { name: 'offsite', target: { type: 'local', path: path.join(root, 'offsite') } });
    // An S3 target where nothing answers (port 9, discard: closed here): every listing of it fails.
    await h.client.call('targets.save', {
      name: 'broken',
      target: { type: 's3', bucket: 'nowhere', endpoint: 'http://127.0.0.1:9', pathStyle: true, region: 'us-east-1', accessKeyId: 'AKIDTEST', secretAccessKey: 'not-a-secret' },
    });
    if (s3) {
      releaseGateway = await useGateway();
      bucket = await createTestBucket(s3, 'targets');
      await h.client.call('targets.save', {
        name: 's3-offsite',
        target: { type: 's3', bucket: bucket.name, endpoint: s3.endpoint, pathStyle: true, region: 'us-east-1', accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey },
      });
    }
  });

  after(async () => {
    try {
      await h?.close();
      await bucket?.remove();
      releaseGateway?.();
      await scope.cleanup();
      if (root) await fs.rm(root, { recursive: true, force: true });
    } finally {
      await release?.();
    }
  });

  it('backs up to the default store and to a named target, each job naming its target', async () => {
    const home = await finished(h.client.call('jobs.startBackup', { volumes: [volume], backup: 'home', encrypt: false }));
    assert.equal(home.title, `Back up ${volume} to home on the default store`);
    assert.equal(home.target, undefined);
    const away = await finished(h.client.call('jobs.startBackup', { volumes: [volume], backup: 'away', encrypt: true, password: 'targets test pw', target: 'offsite' }));
    assert.equal(away.title, `Back up ${volume} to away on offsite`);
    assert.equal(away.target, 'offsite');
  });

  it('lists each backup on its own target only, and a failing target hides nothing', async () => {
    assert.deepEqual((await h.client.call('backups.list', {})).map((b) => b.name), ['home']);
    const offsite = await h.client.call('backups.list', { target: 'offsite' });
    assert.deepEqual(offsite.map((b) => [b.name, b.encrypted, b.versions]), [['away', true, 1]]);
    const versions = await h.client.call('backups.versions', { backup: 'away', target: 'offsite' });
    assert.equal(versions.length, 1);
    assert.deepEqual(versions[0]!.volumes, [volume]);
    const tree = await h.client.call('backups.tree', { backup: 'away', target: 'offsite', password: 'targets test pw' });
    assert.deepEqual(tree.map((n) => n.name), ['payload.bin']);
    await assert.rejects(h.client.call('backups.list', { target: 'broken' }), (err) => err instanceof ApiError);
    await assert.rejects(h.client.call('backups.versions', { backup: 'away' }), (err) => err instanceof ApiError, 'not on the default store');
  });

  it('gives each volume its last backup on every target, and names the target it could not read', async () => {
    const v = (await h.client.call('volumes.list', {})).find((x) => x.name === volume);
    assert.ok(v);
    assert.deepEqual(v.lastBackups?.map((l) => [l.target, l.backup]), [['offsite', 'away'], [null, 'home']], 'newest first');
    assert.deepEqual(v.lastBackup && [v.lastBackup.target, v.lastBackup.backup], ['offsite', 'away']);
    assert.deepEqual(v.lastBackupUnknown?.map((u) => u.target), ['broken']);
    assert.ok(v.lastBackupUnknown![0]!.error.length > 0);
  });

  it('restores from the named target the bytes that were backed up, the job naming the target', async () => {
    const destination = scope.name('restored');
    const job = await finished(h.client.call('jobs.startRestore', { backup: 'away', target: 'offsite', destinationVolume: destination, password: 'targets test pw' }));
    assert.match(job.title, new RegExp(`^Restore away on offsite, version of [\\d-]+ [\\d:]+ \\(${volume}\\), into ${destination}$`));
    assert.ok((await scope.readFile(destination, 'payload.bin')).equals(content));
    const test = await finished(h.client.call('jobs.startTestRestore', { backup: 'away', target: 'offsite', password: 'targets test pw' }));
    assert.match(test.title, /^Test restore of away on offsite, version of /);
    const verify = await finished(h.client.call('jobs.startVerify', { backup: 'away', target: 'offsite', password: 'targets test pw' }));
    assert.equal(verify.title, 'Verify away on offsite');
  });

  it('backs up to an S3 target and restores from it', { skip: s3 ? false : 'no S3 gateway (DVOM_TEST_S3_ENDPOINT)' }, async () => {
    const job = await finished(h.client.call('jobs.startBackup', { volumes: [volume], backup: 'cloud', encrypt: false, target: 's3-offsite' }));
    assert.equal(job.title, `Back up ${volume} to cloud on s3-offsite`);
    assert.deepEqual((await h.client.call('backups.list', { target: 's3-offsite' })).map((b) => b.name), ['cloud']);
    const v = (await h.client.call('volumes.list', {})).find((x) => x.name === volume);
    assert.deepEqual(v?.lastBackups?.[0] && [v.lastBackups[0].target, v.lastBackups[0].backup], ['s3-offsite', 'cloud']);
    const destination = scope.name('from-s3');
    await finished(h.client.call('jobs.startRestore', { backup: 'cloud', target: 's3-offsite', destinationVolume: destination }));
    assert.ok((await scope.readFile(destination, 'payload.bin')).equals(content));
  });

  it('tests settings before they are saved: a reachable folder gives its location, an unreachable S3 endpoint an error; nothing is saved', async () => {
    const folder = path.join(root, 'tested');
    assert.deepEqual(await h.client.call('targets.test', { name: 'tested', target: { type: 'local', path: folder } }), { location: folder });
    await assert.rejects(
      h.client.call('targets.test', {
        name: 'tested-s3',
        target: { type: 's3', bucket: 'nowhere', endpoint: 'http://127.0.0.1:9', pathStyle: true, region: 'us-east-1', accessKeyId: 'AKIDTEST', secretAccessKey: 'not-a-secret' },
      }),
      (err) => err instanceof ApiError && !err.message.includes('not-a-secret'),
    );
    const names = (await h.client.call('targets.list', {})).map((t) => t.name);
    assert.ok(!names.includes('tested') && !names.includes('tested-s3'), `saved: ${names.join(', ')}`);
    assert.ok(![...h.secrets.entries.keys()].some((k) => k.includes('tested')), 'no secret kept for a test');
  });

  it('keeps the target of each finished job in the history file', async () => {
    const saved = JSON.parse(await fs.readFile(jobHistoryPath(), 'utf8')) as { jobs: JobDto[] };
    const byTitle = new Map(saved.jobs.map((j) => [j.title, j]));
    assert.equal(byTitle.get(`Back up ${volume} to away on offsite`)?.target, 'offsite');
    assert.equal(byTitle.get('Verify away on offsite')?.target, 'offsite');
    assert.equal(byTitle.get(`Back up ${volume} to home on the default store`)?.target, undefined);
  });
});
