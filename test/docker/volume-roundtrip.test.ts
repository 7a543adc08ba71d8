/**
 * Back up real Docker volumes with the CLI and restore them into new volumes:
 * the restored volume must be identical (types, modes incl. setuid/sticky,
 * owners, mtimes, symlinks, hard links, content, the volume root itself).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  assertNoLeftovers,
  describeWithDocker,
  fillRichVolume,
  snapshotVolume,
  useDockerFixture,
  versionsOf,
} from './docker-fixtures.ts';

await describeWithDocker('volume backup and restore round trip (real Docker engine)', () => {
  const fx = useDockerFixture();
  let source = '';
  let expected: Record<string, string> = {};

  it('fills a volume with every kind of entry', async () => {
    source = await fx.volume('src');
    await fillRichVolume(fx, source);
    expected = await snapshotVolume(source);
    // The fixture really produced what the round trip is meant to check.
    assert.match(expected['.']!, /^dir 0750 1000:1000 mtime=1500000000 /);
    assert.match(expected['setuid/tool']!, /^file 4755 1000:1000 /);
    assert.match(expected['sticky']!, /^dir 1777 0:0 /);
    assert.match(expected['secret.txt']!, /^file 0600 33:33 size=7 mtime=1234567890 /);
    assert.match(expected['empty.bin']!, /^file \d+ 0:0 size=0 /);
    assert.match(expected['empty-dir']!, /^dir /);
    assert.match(expected['rel-link']!, /^symlink 0777 1000:1000 size=9 mtime=1234567000 .*-> hello\.txt$/);
    assert.match(expected['abs-link']!, /-> \/data\/hello\.txt$/);
    assert.match(expected['dangling-link']!, /-> does\/not\/exist$/);
    assert.match(expected['hard-link.bin']!, /nlink=2 .*inode-of=dir1\/dir2\/one-mib\.bin$/);
    assert.match(expected['dir1/dir2']!, /mtime=1400000000 /);
    assert.match(expected['dir1/random.bin']!, /size=3145728 /);
    assert.ok(expected['ünïcødé ファイル файл.txt'], 'unicode file name');
    assert.match(expected['setgid']!, /^dir 2775 /);
    assert.match(expected['big-ids.txt']!, /^file \d+ 100000:200000 /);
    assert.match(expected['fifo']!, /^fifo /);
    assert.ok(Object.keys(expected).some((p) => p.length > 400 && p.endsWith('.txt')), 'a path longer than 400 bytes');
    assert.match(expected['long/long-target-link']!, /-> t{180}\/target$/);
  });

  it('restores an encrypted backup into a new volume exactly', async () => {
    const b = await fx.dvomOk(['backup', `--volume=${source}`, '--name=enc', '--encrypt']);
    assert.match(b.stderr, /Created version \S+ of backup 'enc' \(encrypted\)/);
    const target = fx.name('restored-enc');
    const r = await fx.dvomOk(['restore', '--snapshot=enc', `--target-volume=${target}`]);
    assert.match(r.stderr, /into new volume/);
    assert.deepEqual(await snapshotVolume(target), expected);
    await assertNoLeftovers();
  });

  it('restores a plain backup in the same store into an existing empty volume exactly', async () => {
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=plain']);
    // An existing, empty target: the root's mode, owner and mtime must still be applied.
    const target = await fx.volume('restored-plain');
    const r = await fx.dvomOk(['restore', '--snapshot=plain', `--target-volume=${target}`]);
    assert.doesNotMatch(r.stderr, /new volume/);
    assert.deepEqual(await snapshotVolume(target), expected);
    await assertNoLeftovers();
  });

  it('list and info describe both backups', async () => {
    const list = (await fx.dvomOk(['list'])).stdout.split('\n');
    const header = list[0]!;
    assert.match(header, /ENCRYPTED/);
    assert.match(header, /VOLUME/);
    const row = (name: string) => {
      const line = list.find((l) => l.startsWith(`${name} `));
      assert.ok(line, `no row for ${name} in:\n${list.join('\n')}`);
      return line.trim().split(/\s{2,}/);
    };
    const columns = header.trim().split(/\s{2,}/);
    const enc = row('enc');
    const plain = row('plain');
    assert.equal(enc[columns.indexOf('ENCRYPTED')], 'Yes');
    assert.equal(plain[columns.indexOf('ENCRYPTED')], 'No');
    assert.equal(enc[columns.indexOf('VOLUME')], source);
    assert.equal(plain[columns.indexOf('VOLUME')], source);

    const info = (await fx.dvomOk(['info', 'enc'])).stdout;
    assert.match(info, /^Encrypted: true$/m);
    assert.match(info, /^Volumes: 1$/m);
    assert.ok(info.split('\n').includes(`  - ${source}`), info);
    assert.match((await fx.dvomOk(['info', 'plain'])).stdout, /^Encrypted: false$/m);
  });

  it('a second backup of the unchanged volume adds almost nothing', async () => {
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=enc', '--quiet']);
    const versions = await versionsOf(fx, 'enc');
    assert.equal(versions.length, 2);
    const [first, second] = versions.toSorted((a, b) => a.createdAt.localeCompare(b.createdAt));
    assert.ok(first!.stats.addedStoredBytes > 4 * 1024 * 1024, `first version stored ${first!.stats.addedStoredBytes} bytes`);
    assert.equal(second!.stats.bytes, first!.stats.bytes);
    assert.equal(second!.stats.addedBytes, 0, 'no new file data');
    assert.ok(second!.stats.addedStoredBytes < 32 * 1024, `second version stored ${second!.stats.addedStoredBytes} bytes`);
    // The newest version restores as exactly as the first.
    const target = fx.name('restored-second');
    await fx.dvomOk(['restore', '--snapshot=enc', `--version=${second!.id}`, `--target-volume=${target}`]);
    assert.deepEqual(await snapshotVolume(target), expected);
  });

  it('backs up several volumes in one version and restores each separately', async () => {
    const a = await fx.volume('multi-a');
    const b = await fx.volume('multi-b');
    await fx.runInVolume(a, 'mkdir -p /data/x && echo alpha > /data/x/a.txt && chmod 0640 /data/x/a.txt && chown 7:7 /data/x');
    await fx.runInVolume(b, 'echo bravo > /data/b.txt && ln -s b.txt /data/b-link && chmod 0700 /data');
    const [wantA, wantB] = await Promise.all([snapshotVolume(a), snapshotVolume(b)]);
    await fx.dvomOk(['backup', `--volume=${a}`, `--volume=${b}`, '--name=multi', '--encrypt']);
    const info = (await fx.dvomOk(['info', 'multi'])).stdout;
    assert.match(info, /^Volumes: 2$/m);

    // Without --volume the restore must refuse: the version holds two volumes.
    const ambiguous = await fx.dvom(['restore', '--snapshot=multi', `--target-volume=${fx.name('ambiguous')}`]);
    assert.equal(ambiguous.code, 2, ambiguous.stderr);
    assert.match(ambiguous.stderr, /--volume/);

    const x = fx.name('multi-x');
    const y = fx.name('multi-y');
    await fx.dvomOk(['restore', '--snapshot=multi', `--volume=${a}`, `--target-volume=${x}`]);
    await fx.dvomOk(['restore', '--snapshot=multi', `--volume=${b}`, `--target-volume=${y}`]);
    const [gotX, gotY] = await Promise.all([snapshotVolume(x), snapshotVolume(y)]);
    assert.deepEqual(gotX, wantA);
    assert.deepEqual(gotY, wantB);
    await assertNoLeftovers();
  });
});
