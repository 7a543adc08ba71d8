/**
 * A restore into a volume must never damage the target unless it can put the
 * complete, verified version there: refused without --force, refused with a
 * wrong password, refused when the backup is corrupt; with --force the target
 * ends up exactly equal to the version.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  assertNoLeftovers,
  collect,
  describeWithDocker,
  docker,
  fillRichVolume,
  flipMiddleByte,
  packFiles,
  sleep,
  snapshotVolume,
  useDockerFixture,
} from './docker-fixtures.ts';

await describeWithDocker('restore safety (real Docker engine)', () => {
  const fx = useDockerFixture();
  let source = '';
  let expected: Record<string, string> = {};
  let target = '';
  let before: Record<string, string> = {};

  it('prepares a backup and a non-empty target', async () => {
    source = await fx.volume('src');
    await fillRichVolume(fx, source, 1024);
    expected = await snapshotVolume(source);
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=good', '--encrypt', '--quiet']);
    target = await fx.volume('target');
    await fx.runInVolume(
      target,
      'mkdir -p /data/only-in-target/deep && echo keep > /data/only-in-target/deep/file && echo mine > /data/hello.txt && ' +
        'ln -s gone /data/target-link && chmod 0700 /data && touch -d @1111111111 /data',
    );
    before = await snapshotVolume(target);
    assert.notDeepEqual(before, expected);
  });

  it('refuses a non-empty target without --force (exit 2) and leaves it untouched', async () => {
    const r = await fx.dvom(['restore', '--snapshot=good', `--target-volume=${target}`]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /not empty/);
    assert.match(r.stderr, /--force/);
    assert.deepEqual(await snapshotVolume(target), before);
    await assertNoLeftovers();
  });

  it('refuses a wrong password even with --force (exit 3) and leaves the target untouched', async () => {
    const r = await fx.dvom(['restore', '--snapshot=good', `--target-volume=${target}`, '--force'], {
      env: { DVOM_PASSWORD: 'not the password' },
    });
    assert.equal(r.code, 3, r.stderr);
    assert.deepEqual(await snapshotVolume(target), before);
    await assertNoLeftovers();
  });

  it('--dry-run of a good backup passes (exit 0) and leaves nothing behind', async () => {
    const r = await fx.dvom(['restore', '--snapshot=good', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /passed/);
    await assertNoLeftovers();
  });

  it('with --force and the right password replaces the target exactly by the version', async () => {
    const r = await fx.dvom(['restore', '--snapshot=good', `--target-volume=${target}`, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /previous contents replaced/);
    const after = await snapshotVolume(target);
    assert.equal(after['only-in-target'], undefined, 'files only in the target are gone');
    assert.equal(after['target-link'], undefined);
    assert.deepEqual(after, expected);
    await assertNoLeftovers();
  });

  it('Ctrl-C during a --force restore leaves the target untouched and removes the staging volume', async (t) => {
    const big = await fx.volume('big');
    await fx.runInVolume(big, 'dd if=/dev/urandom of=/data/big.bin bs=1M count=48 2>/dev/null');
    await fx.dvomOk(['backup', `--volume=${big}`, '--name=big', '--quiet']);
    const current = await snapshotVolume(target); // what the previous test restored
    const child = fx.spawnDvom(['restore', '--snapshot=big', `--target-volume=${target}`, '--force']);
    const done = collect(child);
    let exited = false;
    void done.then(() => (exited = true), () => (exited = true));
    // The staging volume appears when the (verified) restore into it starts; cancel then.
    while (!exited && !(await docker('volume', 'ls', '-q', '--filter', 'label=io.dvom.temporary')).trim()) await sleep(20);
    child.kill('SIGINT');
    const r = await done;
    const after = await snapshotVolume(target);
    if (r.code === 0) {
      // The cancel came only once the verified copy was being committed, which DVOM
      // finishes rather than leave the target half-written: then it must be exact.
      t.diagnostic('the cancel arrived after the commit had started');
      assert.deepEqual(after, await snapshotVolume(big));
    } else {
      assert.equal(r.code, 130, r.stderr);
      assert.deepEqual(after, current, 'target untouched');
    }
    await assertNoLeftovers();
  });

  describe('a damaged pack file', () => {
    let damaged = '';
    let victim = '';
    let victimBefore: Record<string, string> = {};

    it('flips one byte in the middle of the biggest pack of an encrypted backup', async () => {
      await fx.dvomOk(['backup', `--volume=${source}`, '--name=damaged', '--encrypt', '--quiet']);
      const packs = (await packFiles(fx.store, 'damaged')).toSorted((a, b) => b.size - a.size);
      assert.ok(packs.length > 0);
      damaged = packs[0]!.file;
      await flipMiddleByte(damaged);
      victim = await fx.volume('victim');
      await fx.runInVolume(victim, 'echo precious > /data/precious.txt && mkdir /data/d');
      victimBefore = await snapshotVolume(victim);
    });

    it('--dry-run fails with exit 5 and names what is damaged', async () => {
      const r = await fx.dvom(['restore', '--snapshot=damaged', '--dry-run']);
      assert.equal(r.code, 5, `exit ${r.code}\n${r.stderr}`);
      assert.doesNotMatch(r.stdout, /passed/);
      // Names the damaged pack (object) or the restored file that came out wrong.
      assert.ok(r.stderr.includes(path.basename(damaged)) || /file '[^']+'/.test(r.stderr), r.stderr);
      await assertNoLeftovers();
    });

    it('a forced restore into a non-empty volume fails and leaves it untouched', async () => {
      const r = await fx.dvom(['restore', '--snapshot=damaged', `--target-volume=${victim}`, '--force']);
      assert.equal(r.code, 5, r.stderr);
      assert.deepEqual(await snapshotVolume(victim), victimBefore);
      await assertNoLeftovers();
    });

    it('a restore into a new volume fails and does not leave a half-restored volume', async () => {
      const fresh = fx.name('never-created');
      const r = await fx.dvom(['restore', '--snapshot=damaged', `--target-volume=${fresh}`]);
      assert.equal(r.code, 5, r.stderr);
      const left = await docker('volume', 'ls', '-q', '--filter', `name=${fresh}`);
      assert.equal(left.trim(), '', `volume ${fresh} should not exist`);
      await assertNoLeftovers();
    });
  });
});
