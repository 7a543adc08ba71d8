/**
 * `dvom volumes`: the engine's volumes with driver, size, the containers that
 * use them and the last backup; and a clear error when no engine answers.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { it } from 'node:test';
import { assertNoLeftovers, describeWithDocker, useDockerFixture } from './docker-fixtures.ts';

interface VolumeRow {
  name: string;
  driver: string;
  size: number | null;
  empty: boolean | null;
  usedBy: { name: string; running: boolean }[];
  lastBackup: string | null;
  lastBackupName: string | null;
}

await describeWithDocker('dvom volumes (real Docker engine)', () => {
  const fx = useDockerFixture();
  let volume = '';
  let running = '';
  let created = '';

  const rowOf = async (name: string): Promise<VolumeRow> => {
    const r = await fx.dvomOk(['volumes', '--json']);
    const rows = JSON.parse(r.stdout) as VolumeRow[];
    const row = rows.find((v) => v.name === name);
    assert.ok(row, `volume ${name} not listed in ${r.stdout}`);
    return row;
  };

  it('lists the volume with driver, size, users and no backup yet', async () => {
    volume = await fx.volume('vol');
    await fx.runInVolume(volume, 'head -c 50000 /dev/urandom > /data/f');
    running = await fx.startContainer('running', volume);
    created = await fx.createContainer('never-started', volume);
    const row = await rowOf(volume);
    assert.equal(row.driver, 'local');
    assert.ok(row.size === null || (typeof row.size === 'number' && row.size >= 50000), `size ${row.size}`);
    assert.deepEqual(
      row.usedBy.map(({ name, running }) => ({ name, running })).toSorted((a, b) => a.name.localeCompare(b.name)),
      [
        { name: created, running: false },
        { name: running, running: true },
      ].toSorted((a, b) => a.name.localeCompare(b.name)),
    );
    assert.equal(row.lastBackup, null);
    assert.equal(row.lastBackupName, null);

    const table = (await fx.dvomOk(['volumes'])).stdout;
    const line = table.split('\n').find((l) => l.startsWith(`${volume} `));
    assert.ok(line, table);
    assert.match(line, /\blocal\b/);
    assert.ok(line.includes(`${running} (running)`), line);
    assert.ok(line.includes(created), line);
    assert.match(line, /never/);
  });

  it('knows an empty volume as empty, and one holding only an empty file (0 bytes) as not empty', async () => {
    const fresh = await fx.volume('fresh');
    const zero = await fx.volume('zero');
    await fx.runInVolume(zero, 'touch /data/nothing-in-it');
    const freshRow = await rowOf(fresh);
    assert.equal(freshRow.empty, true);
    const zeroRow = await rowOf(zero);
    assert.ok(zeroRow.size === null || zeroRow.size === 0, `an empty file weighs nothing: size ${zeroRow.size}`);
    assert.equal(zeroRow.empty, false, 'its size would say empty; its entries say not');
    assert.equal((await rowOf(volume)).empty, false);
    await assertNoLeftovers();
  });

  it('shows the last backup after one', async () => {
    const t0 = Date.now();
    await fx.dvomOk(['backup', `--volume=${volume}`, '--name=vols', '--quiet']);
    const t1 = Date.now();
    const row = await rowOf(volume);
    assert.equal(typeof row.lastBackup, 'string');
    assert.match(row.lastBackup!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const at = Date.parse(row.lastBackup!);
    assert.ok(at >= t0 - 1000 && at <= t1 + 1000, `lastBackup ${row.lastBackup} not within the backup`);
    assert.equal(row.lastBackupName, 'vols');
    // DVOM's own temporary volumes are never listed.
    const all = JSON.parse((await fx.dvomOk(['volumes', '--json'])).stdout) as VolumeRow[];
    assert.ok(!all.some((v) => /^dvom-(restore|test)-/.test(v.name)));
    await assertNoLeftovers();
  });

  it('leaves out a backup that fails its checks, with a warning, and still lists the volumes', async () => {
    await fx.dvomOk(['backup', `--volume=${volume}`, '--name=vols-bad', '--quiet']);
    // This machine's record of the newer backup is damaged: that backup fails its checks.
    const records = path.join(path.dirname(fx.store), 'known-backups');
    let damaged = 0;
    for (const file of await fs.readdir(records)) {
      const record = JSON.parse(await fs.readFile(path.join(records, file), 'utf8')) as { backup: string };
      if (record.backup !== 'vols-bad') continue;
      await fs.writeFile(path.join(records, file), '{ damaged');
      damaged++;
    }
    assert.equal(damaged, 1);
    const r = await fx.dvomOk(['volumes', '--json']);
    const row = (JSON.parse(r.stdout) as VolumeRow[]).find((v) => v.name === volume);
    assert.equal(row?.lastBackupName, 'vols');
    assert.match(r.stderr, /^Warning: backup 'vols-bad' is left out of the last backups: .*is damaged/m);
  });

  it('fails with exit 1 and says how to reach the engine when DOCKER_HOST points nowhere', async () => {
    const r = await fx.dvom(['volumes'], { env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Docker engine/);
    assert.match(r.stderr, /unix:\/\/\/nonexistent\.sock/);
    assert.match(r.stderr, /\b(start|running)\b/, 'says how to get an engine running');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
