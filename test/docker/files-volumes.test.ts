/**
 * ls, diff, dump and find on a volume backup: each volume is a folder at the
 * version's root, and a version of several volumes (named out of order)
 * still diffs path by path.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeWithDocker, useDockerFixture } from './docker-fixtures.ts';

await describeWithDocker('file-level commands on volume backups (real Docker engine)', () => {
  const fx = useDockerFixture();
  let zeta = '';
  let alpha = '';
  let v1 = '';
  let v2 = '';

  it('backs up two volumes, named out of order, twice with changes in between', async () => {
    zeta = await fx.volume('zeta');
    alpha = await fx.volume('alpha');
    await fx.runInVolume(zeta, 'mkdir /data/conf && echo one > /data/conf/app.conf && echo keep > /data/keep.txt');
    await fx.runInVolume(alpha, 'echo a > /data/a.txt && echo old > /data/gone.txt');
    v1 = (await fx.dvomOk(['backup', `--volume=${zeta}`, `--volume=${alpha}`, '--name=vols', '--encrypt'])).stdout.trim();
    await fx.runInVolume(zeta, 'echo two-changed > /data/conf/app.conf');
    await fx.runInVolume(alpha, 'rm /data/gone.txt && echo new > /data/new.txt');
    v2 = (await fx.dvomOk(['backup', `--volume=${zeta}`, `--volume=${alpha}`, '--name=vols'])).stdout.trim();
  });

  it('ls shows each volume as a folder at the root', async () => {
    const rows = (await fx.dvomOk(['ls', 'vols', `/${zeta}`, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { path: string; size: number });
    assert.deepEqual(rows.map((r) => r.path), [`/${zeta}`, `/${zeta}/conf`, `/${zeta}/conf/app.conf`, `/${zeta}/keep.txt`]);
    assert.equal(rows[2]!.size, 'two-changed\n'.length);
  });

  it('diff lists exactly the changes in both volumes', async () => {
    const out = (await fx.dvomOk(['diff', 'vols', v1, v2])).stdout;
    const lines = out.split('\n').filter((l) => /^[-+MU] {2}/.test(l));
    // Path order: the alpha volume's folder before zeta's, although zeta was backed up first.
    assert.deepEqual(lines, [`-  /${alpha}/gone.txt  (4 B)`, `+  /${alpha}/new.txt  (4 B)`, `M  /${zeta}/conf/app.conf  (4 B -> 12 B)`]);
  });

  it('dump and find reach files inside a volume', async () => {
    assert.equal((await fx.dvomOk(['dump', 'vols', `/${zeta}/conf/app.conf`, `--version=${v1}`])).stdout, 'one\n');
    const found = (await fx.dvomOk(['find', 'vols', 'gone.txt', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { version: string; path: string });
    assert.deepEqual(found.map((f) => [f.version, f.path]), [[v1, `/${alpha}/gone.txt`]]);
  });
});
