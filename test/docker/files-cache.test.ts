/**
 * The files cache on a real volume: what a container writes between two
 * backups is in the second one, including a rewrite in the same second as the
 * first backup; a change whose mtime was put back is found by --force-read.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeWithDocker, docker, snapshotVolume, useDockerFixture } from './docker-fixtures.ts';

await describeWithDocker('files cache with a real Docker volume', () => {
  const fx = useDockerFixture();

  it("a running container's writes between two backups are in the second", async () => {
    const source = await fx.volume('cache-src');
    await fx.runInVolume(
      source,
      'mkdir -p /data/d && echo old > /data/d/old.txt && touch -d @1500000000 /data/d/old.txt && ' +
        'echo same-size-1 > /data/racy.txt && echo append > /data/log.txt',
    );
    const writer = await fx.startContainer('cache-writer', source);
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=cache', '--encrypt']);
    // At once, so probably within the same second as the first backup read them.
    const script = 'echo same-size-2 > /data/racy.txt && echo more >> /data/log.txt && echo new > /data/d/new.txt';
    await docker('exec', writer, 'sh', '-c', script);
    const expected = await snapshotVolume(source);
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=cache']);
    const target = fx.name('cache-restored');
    await fx.dvomOk(['restore', '--snapshot=cache', `--target-volume=${target}`]);
    assert.deepEqual(await snapshotVolume(target), expected);
  });

  it('a change with its mtime put back is found by --force-read', async () => {
    const source = await fx.volume('touch-src');
    await fx.runInVolume(source, 'echo aaaa > /data/f.txt && touch -d @1500000000 /data/f.txt && echo x > /data/newer.txt');
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=touch', '--encrypt']);
    await fx.runInVolume(source, 'echo bbbb > /data/f.txt && touch -d @1500000000 /data/f.txt');
    const expected = await snapshotVolume(source);
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=touch', '--force-read']);
    const target = fx.name('touch-restored');
    await fx.dvomOk(['restore', '--snapshot=touch', `--target-volume=${target}`]);
    assert.deepEqual(await snapshotVolume(target), expected);
  });
});
