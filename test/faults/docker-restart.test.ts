/**
 * The Docker daemon restarted in the middle of a volume backup and of a
 * volume restore. A private dockerd (never the machine's shared one) is
 * restarted while DVOM streams the volume: the fault proxy in front of the S3
 * store holds the first pack upload (or read) and restarts the daemon before
 * letting it through, so the restart always falls mid-stream. The user gets a
 * clear error, no version appears, and the next run works.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeCliUser, type CliUser } from '../config/dvom-cli.ts';
import { manifest } from '../cli/run-dvom.ts';
import { SKIP_REASON, s3TestEnv, useS3TestFile } from '../s3/s3-fixtures.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { PrivateDockerd } from '../support/private-dockerd.ts';

const env = s3TestEnv();
const skip = !env ? SKIP_REASON : PrivateDockerd.skipReason();
const fixture = useS3TestFile(env, 'dockerd');
const NAME = 'vols';
const MiB = 1024 * 1024;

describe('the Docker daemon restarted mid-stream', { skip }, () => {
  let proxy: FaultProxy;
  let dockerd: PrivateDockerd;
  let user: CliUser;

  const run = (args: string[]) =>
    user.run([...args, '--storage=s3', `--s3-bucket=${fixture.bucket.name}`, `--s3-endpoint=${proxy.endpoint}`, '--s3-path-style'], {
      env: { AWS_ACCESS_KEY_ID: env!.accessKey, AWS_SECRET_ACCESS_KEY: env!.secretKey, DVOM_PASSWORD: 'restart password', DOCKER_HOST: dockerd.host },
    });
  const helpers = () => dockerd.docker('ps', '-a', '--filter', 'label=io.dvom.helper', '--format', '{{.Names}}');

  before(async () => {
    proxy = await FaultProxy.start(env!.endpoint);
    dockerd = new PrivateDockerd();
    await dockerd.start();
    user = makeCliUser('dockerd');
    dockerd.docker('volume', 'create', 'src');
    // Several packs' worth (16 MiB each), so the stream is still open when the first pack goes out.
    const data = dockerd.volumeData('src');
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(data, `big-${i}.bin`), randomBytes(10 * MiB));
    fs.mkdirSync(path.join(data, 'etc'));
    fs.writeFileSync(path.join(data, 'etc', 'app.conf'), 'key = value\n');
  });

  after(async () => {
    await proxy?.stop();
    await dockerd?.remove();
    user?.remove();
  });

  test('during a backup: a clear error, no version; the next backup works', { timeout: 120_000 }, async () => {
    let restarted = false;
    proxy.script([{ method: 'PUT', path: /\/packs\//, fault: { kind: 'hook', run: async () => {
      await dockerd.crash();
      restarted = true;
    } } }]);
    const failed = await run(['backup', '--volume=src', `--name=${NAME}`, '--encrypt', '--quiet']);
    proxy.heal();
    await dockerd.start();
    assert.ok(restarted);
    assert.notEqual(failed.code, 0, failed.stdout);
    // Before the fix: "unexpected error: aborted" (INTERNAL).
    assert.match(failed.stderr, /^Error: the Docker engine stopped sending volume 'src' \(.*\): was it restarted\?/m);
    assert.deepEqual(await fixture.bucket.keys(`backups/${NAME}/versions/`), [], 'no version');
    assert.deepEqual(await fixture.bucket.keys(`backups/${NAME}/locks/`), [], 'the lock was released');

    const ok = await run(['backup', '--volume=src', `--name=${NAME}`, '--quiet']);
    assert.equal(ok.code, 0, ok.stderr);
    const verified = await run(['verify', NAME, '--read-data']);
    assert.equal(verified.code, 0, verified.stderr);
    // The crashed run's helper could not be removed while the engine was down: it carries the label
    // the sweep of leftovers looks for; the successful run left none of its own.
    assert.ok(helpers().split('\n').filter(Boolean).length <= 1, helpers());
  });

  test('during a restore: a clear error; the next restore works and is exact', { timeout: 120_000 }, async () => {
    let restarted = false;
    proxy.script([{ method: 'GET', path: /\/packs\//, fault: { kind: 'hook', run: async () => {
      await dockerd.crash();
      restarted = true;
    } } }]);
    const failed = await run(['restore', `--snapshot=${NAME}`, '--target-volume=dst']);
    proxy.heal();
    await dockerd.start();
    assert.ok(restarted);
    assert.notEqual(failed.code, 0, failed.stdout);
    // Before the fix the restore waited for ever for the engine to read the rest of the archive.
    assert.match(failed.stderr, /^Error: the Docker engine stopped taking volume 'dst' \(.*\): was it restarted\?/m);

    const ok = await run(['restore', `--snapshot=${NAME}`, '--target-volume=dst', '--force']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(await manifest(dockerd.volumeData('dst')), await manifest(dockerd.volumeData('src')));
  });
});
