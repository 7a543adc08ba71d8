/**
 * The progress total of a volume backup: the engine sizes volumes by walking
 * every volume it has (GET /system/df), so that is asked only for a first
 * backup someone watches. A later backup takes the previous version's figures,
 * and a backup nobody watches (a quiet or scheduled run) needs no total.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import type { ProgressEvent } from '../../src/shared/progress.ts';
import { Repository } from '../../src/main/engine/repo/repository.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { backupVolumes } from '../../src/main/volumes/backup-volumes.ts';
import { acquireDockerLock, DockerScope, dockerSkipReason, ensureEmptyImage } from '../api/docker-helpers.ts';

const skip = await dockerSkipReason();

describe('volume backup progress totals (real Docker volume)', { skip }, () => {
  let release: (() => Promise<void>) | undefined;
  let scope: DockerScope;
  let volume: string;
  let dir: string;
  let store: LocalBackend;
  /** The engine's client, counting the disk-usage reports asked for. */
  const docker = new Docker();
  let sizings = 0;
  const df = docker.df.bind(docker) as () => Promise<unknown>;
  (docker as { df: () => Promise<unknown> }).df = () => {
    sizings++;
    return df();
  };

  before(async () => {
    release = await acquireDockerLock();
    await ensureEmptyImage();
    scope = new DockerScope();
    volume = await scope.volume('totals');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-volume-totals-'));
    const fill = path.join(dir, 'fill');
    await fs.mkdir(fill);
    await fs.writeFile(path.join(fill, 'a.txt'), 'some data\n'.repeat(1000));
    await fs.writeFile(path.join(fill, 'b.txt'), 'more data\n'.repeat(3000));
    await scope.fill(volume, fill);
    store = new LocalBackend(path.join(dir, 'store'));
  });

  after(async () => {
    try {
      await scope?.cleanup();
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    } finally {
      await release?.();
    }
  });

  const create = (name: string) => Repository.create(store, name, { encrypted: false });
  const watched = async (repo: Repository) => {
    const events: ProgressEvent[] = [];
    await backupVolumes(repo, docker, { volumes: [volume], onProgress: (e) => events.push(e) });
    return events.map((e) => e.bytesTotal).filter((t) => t !== undefined);
  };

  it('a first backup someone watches sizes the volume once; the next takes the first one\'s figures', async () => {
    const repo = await create('watched');
    sizings = 0;
    const first = await watched(repo);
    assert.equal(sizings, 1);
    assert.ok(first.length && first.every((t) => t > 0), `a total on the first backup's events: ${first}`);
    const [version] = await repo.versions();
    const again = await watched(repo);
    assert.equal(sizings, 1, 'no sizing for the second backup');
    assert.ok(again.length && again.every((t) => t === version!.stats.bytes), `the first version's bytes (${version!.stats.bytes}): ${again}`);
  });

  it('a backup nobody watches never sizes volumes', async () => {
    const repo = await create('quiet');
    sizings = 0;
    await backupVolumes(repo, docker, { volumes: [volume] });
    assert.equal(sizings, 0);
    assert.equal((await repo.versions()).length, 1);
  });
});
