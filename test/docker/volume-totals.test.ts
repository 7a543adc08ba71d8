/**
 * The progress total of a volume backup: the engine sizes volumes by walking
 * every volume it has (GET /system/df), so that is asked only for a first
 * backup someone watches, and before any container is stopped. A later backup
 * takes the previous version's figures, and a backup nobody watches (a quiet
 * or scheduled run) needs no total.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, it } from 'node:test';
import Docker from 'dockerode';
import type { ProgressEvent } from '../../src/shared/progress.ts';
import { Repository } from '../../src/main/engine/repo/repository.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { backupVolumes } from '../../src/main/volumes/backup-volumes.ts';
import { describeWithDocker, useDockerFixture } from './docker-fixtures.ts';

await describeWithDocker('volume backup progress totals (real Docker volume)', () => {
  const fx = useDockerFixture();
  let volume: string;
  /** What happened, in order: 'sizing' for each disk-usage report asked for, and the progress phases. */
  let log: string[] = [];
  /** The engine's client, noting each disk-usage report it asks for. */
  const docker = new Docker();
  const df = docker.df.bind(docker) as () => Promise<unknown>;
  (docker as { df: () => Promise<unknown> }).df = () => {
    log.push('sizing');
    return df();
  };
  const sizings = () => log.filter((e) => e === 'sizing').length;
  const onProgress = (e: ProgressEvent) => log.push(e.phase);

  before(async () => {
    volume = await fx.volume('totals');
    await fx.runInVolume(volume, 'seq 1 20000 > /data/a.txt && seq 1 50000 > /data/b.txt');
  });

  const create = (name: string) => Repository.create(new LocalBackend(path.join(fx.store, 'totals')), name, { encrypted: false });
  const totals = (events: ProgressEvent[]) => events.map((e) => e.bytesTotal).filter((t) => t !== undefined);

  it("a first backup someone watches sizes the volume once; the next takes the first one's figures", async () => {
    const repo = await create('watched');
    log = [];
    const first: ProgressEvent[] = [];
    await backupVolumes(repo, docker, { volumes: [volume], onProgress: (e) => first.push(e) });
    assert.equal(sizings(), 1);
    assert.ok(totals(first).length && totals(first).every((t) => t > 0), `a total on the first backup's events: ${totals(first)}`);
    const [version] = await repo.versions();
    const again: ProgressEvent[] = [];
    await backupVolumes(repo, docker, { volumes: [volume], onProgress: (e) => again.push(e) });
    assert.equal(sizings(), 1, 'no sizing for the second backup');
    assert.ok(totals(again).length && totals(again).every((t) => t === version!.stats.bytes), `the first version's bytes (${version!.stats.bytes}): ${totals(again)}`);
  });

  it('a backup nobody watches never sizes volumes', async () => {
    const repo = await create('quiet');
    log = [];
    await backupVolumes(repo, docker, { volumes: [volume] });
    assert.equal(sizings(), 0);
    assert.equal((await repo.versions()).length, 1);
  });

  it('with containers to stop, the volume is sized before the first one stops', async () => {
    const repo = await create('stopping');
    const container = await fx.startContainer('sized', volume);
    log = [];
    await backupVolumes(repo, docker, { volumes: [volume], stopContainers: [container], onProgress });
    assert.equal(sizings(), 1);
    assert.ok(log.includes('stopping'), log.join(' '));
    assert.ok(log.indexOf('sizing') < log.indexOf('stopping'), `sized while the container still ran: ${log.join(' ')}`);
  });
});
