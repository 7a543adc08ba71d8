/**
 * restore --dry-run with a destination: the version is test-restored, the
 * destination is judged exactly as the restore would judge it, and nothing
 * touches it — no write, no container stopped.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { it } from 'node:test';
import { assertNoLeftovers, describeWithDocker, docker, exec, snapshotVolume, useDockerFixture } from './docker-fixtures.ts';

await describeWithDocker('restore --dry-run --target-volume / --target-dir (real Docker engine)', () => {
  const fx = useDockerFixture();
  let source = '';

  it('backs up a volume', async () => {
    source = await fx.volume('src');
    await fx.runInVolume(source, 'echo a > /data/a && mkdir /data/d && echo b > /data/d/b');
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=dry', '--encrypt']);
  });

  it('a missing volume: would be created; it is not', async () => {
    const missing = fx.name('missing');
    const r = await fx.dvomOk(['restore', '--snapshot=dry', `--target-volume=${missing}`, '--dry-run']);
    assert.match(r.stdout, new RegExp(`would create volume '${missing}' and write 2 files`));
    assert.notEqual((await exec('docker', ['volume', 'inspect', missing])).code, 0);
  });

  it('a non-empty volume: refused without --force (exit 2, like the restore); with --force, would be replaced; untouched either way', async () => {
    const target = await fx.volume('full');
    await fx.runInVolume(target, 'echo mine > /data/mine');
    const before = await snapshotVolume(target);
    const refused = await fx.dvom(['restore', '--snapshot=dry', `--target-volume=${target}`, '--dry-run']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^Error: volume '${target}' is not empty; use --keep-existing or --overwrite-existing .*, or --force`, 'm'));
    const forced = await fx.dvomOk(['restore', '--snapshot=dry', `--target-volume=${target}`, '--dry-run', '--force']);
    assert.match(forced.stdout, new RegExp(`would replace the contents of volume '${target}' with 2 files`));
    const kept = await fx.dvomOk(['restore', '--snapshot=dry', `--target-volume=${target}`, '--dry-run', '--keep-existing']);
    assert.match(kept.stdout, new RegExp(`would write 2 files \\(.*\\) into volume '${target}', keeping everything else in it`));
    assert.deepEqual(await snapshotVolume(target), before);
  });

  it('a volume in use by a running container: refused unless it is stopped; with --stop-containers, says so and stops nothing', async () => {
    const target = await fx.volume('used');
    const app = await fx.startContainer('app', target);
    const startedAt = (await fx.inspect(app)).startedAt;
    const refused = await fx.dvom(['restore', '--snapshot=dry', `--target-volume=${target}`, '--dry-run']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`in use by running container\\(s\\) ${app}; .*--stop-containers=${app}`));
    const ok = await fx.dvomOk(['restore', '--snapshot=dry', `--target-volume=${target}`, '--dry-run', `--stop-containers=${app}`]);
    assert.match(ok.stdout, new RegExp(`would write 2 files \\(.*\\) into the empty volume '${target}', stopping container\\(s\\) ${app} and starting them again afterwards`));
    assert.doesNotMatch(ok.stderr, /Stopping container/);
    const after = await fx.inspect(app);
    assert.equal(after.running, true);
    assert.equal(after.startedAt, startedAt, 'the container was not touched');
    const wrongName = await fx.dvom(['restore', '--snapshot=dry', `--target-volume=${target}`, '--dry-run', `--stop-containers=${app},no-such-container-x`]);
    assert.equal(wrongName.code, 4, wrongName.stderr);
    await docker('rm', '-f', app);
  });

  it('a folder destination: judged the same way, never written', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-dry-dir-'));
    try {
      await fs.writeFile(path.join(dir, 'mine'), 'mine');
      const refused = await fx.dvom(['restore', '--snapshot=dry', `--target-dir=${dir}`, '--dry-run']);
      assert.equal(refused.code, 2, refused.stderr);
      const fresh = path.join(dir, 'new');
      const r = await fx.dvomOk(['restore', '--snapshot=dry', `--target-dir=${fresh}`, '--dry-run']);
      assert.match(r.stdout, /would create folder '.*new' and write 2 files/);
      assert.deepEqual(await fs.readdir(dir), ['mine']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
    await assertNoLeftovers();
  });
});
