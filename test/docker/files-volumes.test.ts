/**
 * ls, diff, dump and find on a volume backup: each volume is a folder at the
 * version's root, and a version of several volumes (named out of order)
 * still diffs path by path.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertNoLeftovers, describeWithDocker, snapshotVolume, useDockerFixture } from './docker-fixtures.ts';

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

  it('backup --exclude applies inside each volume; restore --include/--exclude write exactly the selection into a volume', async () => {
    const data = await fx.volume('sel');
    await fx.runInVolume(data, 'mkdir -p /data/db /data/cache && echo row > /data/db/table && echo t > /data/db/x.tmp && echo c > /data/cache/c && echo top > /data/top');
    await fx.dvomOk(['backup', `--volume=${data}`, '--name=sel', '--exclude=*.tmp', '--exclude=/cache']);
    const listed = (await fx.dvomOk(['ls', 'sel', '--json'])).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { path: string }).path);
    assert.deepEqual(listed, [`/${data}`, `/${data}/db`, `/${data}/db/table`, `/${data}/top`]);

    await fx.dvomOk(['backup', `--volume=${data}`, '--name=all']);
    const only = fx.name('only');
    await fx.dvomOk(['restore', '--snapshot=all', `--target-volume=${only}`, '--include=/db/table']);
    const full = await snapshotVolume(data);
    const part = await snapshotVolume(only);
    assert.deepEqual(Object.keys(part).sort(), ['.', 'db', 'db/table']);
    assert.equal(part['db/table'], full['db/table']);
    assert.equal(part['db'], full['db']);

    const rest = fx.name('rest');
    await fx.dvomOk(['restore', '--snapshot=all', `--target-volume=${rest}`, '--exclude=db']);
    // The root's link count differs (one folder fewer); everything else is identical.
    const { '.': _root, ...restSnap } = await snapshotVolume(rest);
    assert.deepEqual(restSnap, Object.fromEntries(Object.entries(full).filter(([p]) => p !== '.' && p !== 'db' && !p.startsWith('db/'))));

    const dry = await fx.dvomOk(['restore', '--snapshot=all', `--target-volume=${fx.name('never')}`, '--dry-run', '--include=cache']);
    assert.match(dry.stdout, /the selected files only; not recorded as verified\) passed: 1 files/);
    await assertNoLeftovers();
  });
});
