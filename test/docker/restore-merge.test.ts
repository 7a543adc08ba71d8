/**
 * Restoring picked files into a volume that holds other data, keeping the
 * rest (--keep-existing / --overwrite-existing): every file not restored stays
 * byte-identical, existing files are kept or overwritten as asked, a symbolic
 * link planted in the destination is never followed, the containers using it
 * are stopped and started again, and a cancel mid-way leaves the files not
 * yet written untouched and says which were written.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connectDocker } from '../../src/main/docker/docker-client.ts';
import { LocalBackend, Repository } from '../../src/main/engine/index.ts';
import { isDvomError } from '../../src/main/engine/errors.ts';
import { restoreVolume } from '../../src/main/volumes/restore-volume.ts';
import { assertNoLeftovers, describeWithDocker, flipMiddleByte, packFiles, PASSWORD, snapshotVolume, useDockerFixture } from './docker-fixtures.ts';

/** The snapshot's files, links and other non-folders (folders' times change when a file is added to them). */
function nonFolders(snapshot: Record<string, string>, except: string[] = []): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot).filter(([p, s]) => !s.startsWith('dir ') && !except.includes(p)));
}

const sha = (snapshot: Record<string, string>, p: string) => /sha256=([0-9a-f]+)/.exec(snapshot[p] ?? '')?.[1];

await describeWithDocker('restore into a volume keeping the rest (real Docker engine)', () => {
  const fx = useDockerFixture();
  let source = '';
  let backedUp: Record<string, string> = {};

  /** A volume that moved on since the backup: changed and deleted files, new ones, and `conf` a link to `elsewhere`. */
  async function liveVolume(): Promise<string> {
    const v = await fx.volume('live');
    await fx.runInVolume(
      v,
      'mkdir -p /data/etc /data/data /data/new-since /data/elsewhere && echo "app: changed since" > /data/etc/app.conf && ' +
        'for i in 1 2 3 4 5 6 7 8; do echo "data $i: changed since" > /data/data/$i.txt; done && ' +
        'head -c 300000 /dev/urandom > /data/new-since/keep.bin && echo "notes: changed since" > /data/notes.txt && ln -s elsewhere /data/conf',
    );
    return v;
  }

  it('backs up a volume', async () => {
    source = await fx.volume('src');
    await fx.runInVolume(
      source,
      'mkdir -p /data/etc /data/data /data/conf && echo "app: backed up" > /data/etc/app.conf && echo "db: backed up" > /data/etc/db.conf && ' +
        'for i in 1 2 3 4 5 6 7 8; do echo "data $i: backed up" > /data/data/$i.txt; done && ' +
        'echo "x: backed up" > /data/conf/x.conf && echo "notes: backed up" > /data/notes.txt',
    );
    backedUp = await snapshotVolume(source);
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=merge', '--encrypt', '--quiet']);
  });

  it('refuses a non-empty volume without a choice (exit 2), naming the choices, and --force with --keep-existing', async () => {
    const live = await liveVolume();
    const before = await snapshotVolume(live);
    const r = await fx.dvom(['restore', '--snapshot=merge', `--target-volume=${live}`, '--path=etc']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--keep-existing or --overwrite-existing .* or --force/);
    const both = await fx.dvom(['restore', '--snapshot=merge', `--target-volume=${live}`, '--keep-existing', '--force']);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /at most one of/);
    assert.deepEqual(await snapshotVolume(live), before);
  });

  it('--keep-existing puts missing files back, keeps existing ones, does not follow the planted link, and stops the container', async () => {
    const live = await liveVolume();
    const app = await fx.startContainer('app', live);
    const before = await snapshotVolume(live);
    const r = await fx.dvomOk([
      'restore', '--snapshot=merge', `--target-volume=${live}`, '--path=etc', '--path=conf', '--keep-existing', `--stop-containers=${app}`,
    ]);
    assert.match(r.stderr, /1 file written, 2 kept as they were/);
    const after = await snapshotVolume(live);
    assert.equal(sha(after, 'etc/db.conf'), sha(backedUp, 'etc/db.conf'), 'the deleted file is back');
    assert.deepEqual(nonFolders(after, ['etc/db.conf']), nonFolders(before), 'every other file, etc/app.conf included, is byte-identical');
    assert.match(after['conf']!, /^symlink .*-> elsewhere/, 'the link is kept');
    assert.deepEqual(Object.keys(after).filter((p) => p.startsWith('elsewhere/')), [], 'nothing was written through it');
    assert.equal((await fx.inspect(app)).running, true, 'the container runs again');
    await assertNoLeftovers();
  });

  it('--overwrite-existing replaces the picked files only, and the planted link itself rather than what it points to', async () => {
    const live = await liveVolume();
    const before = await snapshotVolume(live);
    const r = await fx.dvomOk(['restore', '--snapshot=merge', `--target-volume=${live}`, '--path=etc/app.conf', '--path=conf', '--overwrite-existing']);
    assert.match(r.stderr, /2 files written \(1 replacing an existing file\)/);
    const after = await snapshotVolume(live);
    assert.equal(sha(after, 'etc/app.conf'), sha(backedUp, 'etc/app.conf'));
    assert.match(after['conf']!, /^dir /, 'the link was replaced by the folder');
    assert.equal(sha(after, 'conf/x.conf'), sha(backedUp, 'conf/x.conf'));
    assert.deepEqual(Object.keys(after).filter((p) => p.startsWith('elsewhere/')), [], 'nothing was written through the link');
    assert.deepEqual(nonFolders(after, ['etc/app.conf', 'conf', 'conf/x.conf']), nonFolders(before, ['etc/app.conf', 'conf']));
    await assertNoLeftovers();
  });

  it('a cancel mid-way leaves the files not yet written untouched and says which were written', async () => {
    const live = await liveVolume();
    const before = await snapshotVolume(live);
    const docker = await connectDocker();
    const repo = await Repository.open(new LocalBackend(fx.store), 'merge', { kind: 'password', password: PASSWORD });
    const version = await repo.version(undefined);
    const controller = new AbortController();
    let caught: unknown;
    try {
      await restoreVolume(repo, docker, version, {
        targetVolume: live,
        paths: ['data'],
        merge: 'overwrite',
        signal: controller.signal,
        // Cancel once the third file has gone into the destination.
        onProgress: (e) => {
          if (e.phase === 'writing' && e.filesDone === 3) controller.abort();
        },
      });
    } catch (err) {
      caught = err;
    }
    assert.ok(isDvomError(caught, 'CANCELLED'), String(caught));
    assert.match((caught as Error).message, /3 files had been written into .*'data\/1\.txt', 'data\/2\.txt', 'data\/3\.txt'\); the others were not touched/);
    const after = await snapshotVolume(live);
    for (let i = 1; i <= 8; i++) {
      const p = `data/${i}.txt`;
      assert.equal(sha(after, p), sha(i <= 3 ? backedUp : before, p), p);
    }
    assert.deepEqual(nonFolders(after, ['data/1.txt', 'data/2.txt', 'data/3.txt']), nonFolders(before, ['data/1.txt', 'data/2.txt', 'data/3.txt']));
    await assertNoLeftovers();
  });

  it('a corrupt backup is found in the staging copy: the destination is not changed at all (exit 5)', async () => {
    const live = await liveVolume();
    const before = await snapshotVolume(live);
    await fx.dvomOk(['backup', `--volume=${source}`, '--name=damaged', '--encrypt', '--quiet']);
    const packs = (await packFiles(fx.store, 'damaged')).toSorted((a, b) => b.size - a.size);
    await flipMiddleByte(packs[0]!.file);
    const r = await fx.dvom(['restore', '--snapshot=damaged', `--target-volume=${live}`, '--overwrite-existing']);
    assert.equal(r.code, 5, r.stderr);
    assert.deepEqual(await snapshotVolume(live), before, 'not one file or folder changed');
    await assertNoLeftovers();
  });
});
