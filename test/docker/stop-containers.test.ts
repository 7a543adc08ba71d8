/**
 * --stop-containers: containers using a volume are stopped for a consistent
 * copy and restarted afterwards, also when the backup is cancelled; a typo in
 * a name fails before anything is stopped.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  assertNoLeftovers,
  collect,
  describeWithDocker,
  docker,
  sleep,
  snapshotVolume,
  useDockerFixture,
  versionsOf,
} from './docker-fixtures.ts';

await describeWithDocker('backup --stop-containers (real Docker engine)', () => {
  const fx = useDockerFixture();
  let volume = '';
  let app = '';
  let original: Record<string, string> = {};

  it('starts a container that uses the volume', async () => {
    volume = await fx.volume('data');
    await fx.runInVolume(volume, 'mkdir /data/db && echo row1 > /data/db/table && head -c 100000 /dev/urandom > /data/db/blob');
    original = await snapshotVolume(volume);
    app = await fx.startContainer('app', volume);
    assert.equal((await fx.inspect(app)).running, true);
  });

  it('without --stop-containers warns about the running container and still backs up', async () => {
    const before = await fx.inspect(app);
    const r = await fx.dvomOk(['backup', `--volume=${volume}`, '--name=live']);
    assert.match(r.stderr, new RegExp(`Warning: .*${app}`));
    assert.match(r.stderr, /--stop-containers/);
    const after = await fx.inspect(app);
    assert.equal(after.running, true);
    assert.equal(after.startedAt, before.startedAt, 'the container was not touched');
    assert.equal((await versionsOf(fx, 'live')).length, 1);
    await assertNoLeftovers();
  });

  it('with --stop-containers stops the container during the backup and restarts it', async () => {
    const before = await fx.inspect(app);
    const t0 = Date.now();
    const r = await fx.dvomOk(['backup', `--volume=${volume}`, '--name=consistent', `--stop-containers=${app}`]);
    const t1 = Date.now();
    assert.doesNotMatch(r.stderr, /Warning/, 'no in-use warning for a container that is stopped');
    assert.match(r.stderr, new RegExp(`Stopping container ${app}`));
    assert.match(r.stderr, new RegExp(`Starting container ${app}`));
    const after = await fx.inspect(app);
    assert.equal(after.running, true, 'running again after the backup');
    assert.ok(after.startedAt > before.startedAt, 'restarted: StartedAt is later than before');
    // Docker's clock and ours are the same host clock; allow a little rounding.
    assert.ok(after.finishedAt >= t0 - 1000 && after.finishedAt <= t1 + 1000, 'stopped within the backup window');
    assert.ok(after.startedAt >= after.finishedAt, 'started after it was stopped');
    const [version] = await versionsOf(fx, 'consistent');
    assert.ok(version);
    assert.ok(Date.parse(version.createdAt) >= after.finishedAt - 1000, 'the version was made while the container was stopped');
    await assertNoLeftovers();
  });

  it('a stopped container listed in --stop-containers stays stopped', async () => {
    const idle = await fx.startContainer('idle', volume);
    await docker('stop', idle);
    const before = await fx.inspect(idle);
    assert.equal(before.running, false);
    const r = await fx.dvomOk(['backup', `--volume=${volume}`, '--name=consistent', `--stop-containers=${idle},${app}`]);
    assert.doesNotMatch(r.stderr, new RegExp(`Starting container ${idle}`));
    const after = await fx.inspect(idle);
    assert.equal(after.running, false, 'still stopped');
    assert.equal(after.startedAt, before.startedAt, 'never started');
    assert.equal((await fx.inspect(app)).running, true);
    await assertNoLeftovers();
  });

  it('an unknown container fails with exit 4 before anything is stopped', async () => {
    const before = await fx.inspect(app);
    const versions = (await versionsOf(fx, 'consistent')).length;
    const r = await fx.dvom(['backup', `--volume=${volume}`, '--name=consistent', `--stop-containers=${app},does-not-exist`]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /does-not-exist/);
    const after = await fx.inspect(app);
    assert.equal(after.running, true);
    assert.equal(after.startedAt, before.startedAt, 'the listed, existing container was not stopped');
    assert.equal(after.finishedAt, before.finishedAt);
    assert.equal((await versionsOf(fx, 'consistent')).length, versions, 'no version');
    await assertNoLeftovers();
  });

  it('a restore into a volume in use is refused unless its users are stopped, then restarts them', async () => {
    await fx.runInVolume(volume, 'echo changed > /data/db/table && echo extra > /data/extra');
    const changed = await snapshotVolume(volume);
    const before = await fx.inspect(app);
    const refused = await fx.dvom(['restore', '--snapshot=consistent', `--target-volume=${volume}`, '--force']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`in use by running container\\(s\\) ${app}`));
    assert.deepEqual(await snapshotVolume(volume), changed, 'untouched');
    assert.equal((await fx.inspect(app)).startedAt, before.startedAt, 'not stopped');

    await fx.dvomOk(['restore', '--snapshot=consistent', `--target-volume=${volume}`, '--force', `--stop-containers=${app}`]);
    const after = await fx.inspect(app);
    assert.equal(after.running, true);
    assert.ok(after.startedAt > before.startedAt, 'restarted');
    assert.deepEqual(await snapshotVolume(volume), original, 'replaced by the backed-up contents');
    await assertNoLeftovers();
  });

  it('Ctrl-C during a backup restarts the stopped container and creates no version', async (t) => {
    const versionsBefore = await versionsOf(fx, 'consistent');
    assert.ok(versionsBefore.length > 0);
    // Enough data that the backup takes several seconds even on a fast machine, at no cost to
    // create: a 1 GiB sparse file (the engine's archive has no holes, so DVOM reads 1 GiB of
    // zeros). The cancel comes right after the container is seen stopped, so the size does not
    // cost test time unless cancelling is broken.
    await fx.runInVolume(volume, 'busybox truncate -s 1G /data/big.bin && head -c 300000 /dev/urandom > /data/random.bin');
    const before = await fx.inspect(app);
    assert.equal(before.running, true);

    const t0 = Date.now();
    const child = fx.spawnDvom(['backup', `--volume=${volume}`, '--name=consistent', `--stop-containers=${app}`]);
    const done = collect(child, 120_000);
    let exited = false;
    void done.then(() => (exited = true), () => (exited = true));
    const deadline = Date.now() + 30_000;
    let stopped = false;
    while (!exited && Date.now() < deadline) {
      if (!(await fx.inspect(app)).running) {
        stopped = true;
        break;
      }
      await sleep(50);
    }
    assert.ok(stopped, `the container was never seen stopped (dvom ${exited ? 'had already exited' : 'still running'})`);
    const stoppedAfter = Date.now() - t0;
    child.kill('SIGINT');
    const r = await done;
    t.diagnostic(`container seen stopped ${stoppedAfter} ms after the start; dvom exited ${Date.now() - t0} ms after the start`);
    assert.equal(r.code, 130, `exit ${r.code ?? r.signal}\nstderr: ${r.stderr}`);
    assert.match(r.stderr, /cancel/i);

    const after = await fx.inspect(app);
    assert.equal(after.running, true, 'restarted after the cancel');
    assert.ok(after.startedAt > before.startedAt);
    const versionsAfter = await versionsOf(fx, 'consistent');
    assert.deepEqual(
      versionsAfter.map((v) => v.id),
      versionsBefore.map((v) => v.id),
      'no new version',
    );
    await assertNoLeftovers();
  });
});
