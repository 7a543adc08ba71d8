/**
 * A cancelled backup leaves nothing behind (issue 14, item 8), through the
 * app's own jobs against a real Docker volume and a real store: the first
 * backup of a new backup is undone whole, a later one leaves no unreferenced
 * pack, and "Reclaim space" estimates exactly what it then frees.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import type { JobDto } from '../../src/shared/api/dto.ts';
import { createHandlers } from '../../src/main/app/api-handlers.ts';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { readKnownBackup } from '../../src/main/config/known-backups.ts';
import { Layout } from '../../src/main/engine/repo/layout.ts';
import { describeWithDocker, useDockerFixture, type Fixture } from '../docker/docker-fixtures.ts';
import { listFiles } from '../engine/helpers.ts';
import { isolateEnvironment, MemorySecretStore } from './transports.ts';

isolateEnvironment();

await describeWithDocker('a cancelled backup leaves nothing behind', () => {
  const fx: Fixture = useDockerFixture();
  let app: DvomApp;
  let handlers: ReturnType<typeof createHandlers>;
  let volume: string;

  before(async () => {
    volume = await fx.volume('big');
    // Incompressible and large enough that the cancel comes while packs are being stored.
    await fx.runInVolume(volume, 'dd if=/dev/urandom of=/data/big.bin bs=1M count=160 2>/dev/null');
    app = new DvomApp({ secrets: new MemorySecretStore(), storeSelection: { backupDir: fx.store } });
    handlers = createHandlers(app);
  });

  after(async () => {
    await app?.shutdown();
  });

  /** Starts a backup job and cancels it once some data has gone to the store; returns the finished job. */
  async function cancelledBackup(backup: string): Promise<{ job: JobDto; packsAtCancel: number }> {
    let jobId = '';
    let cancelled = false;
    let packsAtCancel = 0;
    const packs = () => listFiles(fx.store).filter((f) => f.startsWith(`backups/${backup}/packs/`) && !path.basename(f).startsWith('.tmp-')).length;
    const packsBefore = fs.existsSync(path.join(fx.store, 'backups', backup)) ? packs() : 0;
    const stop = app.events.subscribe((event, payload) => {
      const job = payload as JobDto;
      if (event !== 'job.updated' || job.id !== jobId || cancelled) return;
      // Progress is published from inside the backup, so the cancel lands mid-way, once it has stored a pack.
      if (job.progress?.phase !== 'backing-up' || !fs.existsSync(path.join(fx.store, 'backups', backup, 'packs'))) return;
      packsAtCancel = packs() - packsBefore;
      if (packsAtCancel > 0) cancelled = app.jobs.cancel(jobId);
    });
    try {
      ({ jobId } = await handlers['jobs.startBackup']({ volumes: [volume], backup, encrypt: true, password: 'pw', rememberPassword: true, stopContainers: [], target: undefined } as never));
      return { job: (await app.jobs.wait(jobId))!, packsAtCancel };
    } finally {
      stop();
    }
  }

  const storeFiles = (backup: string) => listFiles(fx.store).filter((f) => f.startsWith(`backups/${backup}/`));

  it('cancelling the first backup removes the backup it created, this machine\'s record and its remembered password; the next backup of the name works', async () => {
    const name = 'first-cancelled';
    const { job, packsAtCancel } = await cancelledBackup(name);
    assert.equal(job.state, 'cancelled', JSON.stringify(job));
    assert.ok(packsAtCancel > 0, 'packs were stored before the cancel');
    assert.deepEqual(storeFiles(name), [], 'no trace of the backup in the store');
    assert.equal(fs.existsSync(path.join(fx.store, 'backups', name)), false);
    assert.equal(await readKnownBackup((await app.store()).location, name), undefined, 'this machine forgot it');
    assert.deepEqual((await handlers['backups.list']({} as never)).map((b) => b.name).filter((n) => n === name), []);
    assert.equal((await handlers['secrets.hasPassword']({ backup: name } as never)).remembered, false);

    const { jobId } = await handlers['jobs.startBackup']({ volumes: [volume], backup: name, encrypt: true, password: 'another', stopContainers: [] } as never);
    const done = (await app.jobs.wait(jobId))!;
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const listed = (await handlers['backups.list']({} as never)).find((b) => b.name === name);
    assert.equal(listed?.versions, 1);
  });

  it('cancelling a later backup keeps the backup and leaves no unreferenced pack: reclaim has nothing to free', async () => {
    const name = 'later-cancelled';
    const { jobId } = await handlers['jobs.startBackup']({ volumes: [volume], backup: name, encrypt: true, password: 'pw', rememberPassword: true, stopContainers: [] } as never);
    assert.equal((await app.jobs.wait(jobId))!.state, 'succeeded');
    // New data, so the second backup stores packs before it is cancelled.
    await fx.runInVolume(volume, 'dd if=/dev/urandom of=/data/big.bin bs=1M count=160 2>/dev/null');
    const before = storeFiles(name);
    const { job, packsAtCancel } = await cancelledBackup(name);
    assert.equal(job.state, 'cancelled', JSON.stringify(job));
    assert.ok(packsAtCancel > 0, 'packs were stored before the cancel');
    assert.deepEqual(storeFiles(name).filter((f) => !f.includes('/locks/')), before.filter((f) => !f.includes('/locks/')), 'the store is as before the cancelled backup');
    // Estimated with no grace for young packs would still find none: nothing unreferenced stays.
    assert.deepEqual(await handlers['backups.reclaimEstimate']({ backup: name } as never), { bytesToFree: 0, packsSpared: 0 });
    assert.deepEqual(await handlers['backups.reclaim']({ backup: name } as never), { bytesFreed: 0 });
    assert.equal((await handlers['backups.list']({} as never)).find((b) => b.name === name)?.versions, 1);
  });

  it('the reclaim estimate is what reclaim then frees', async () => {
    const name = 'later-cancelled';
    // A second version, then the first deleted without its prune: the old data becomes reclaimable.
    const { jobId } = await handlers['jobs.startBackup']({ volumes: [volume], backup: name, encrypt: false, stopContainers: [] } as never);
    assert.equal((await app.jobs.wait(jobId))!.state, 'succeeded');
    const versions = await handlers['backups.versions']({ backup: name } as never);
    assert.equal(versions.length, 2);
    fs.rmSync(path.join(fx.store, new Layout(name).version(versions[0]!.id)));
    const estimate = await handlers['backups.reclaimEstimate']({ backup: name } as never);
    assert.ok(estimate.bytesToFree > 150 * 1024 * 1024, JSON.stringify(estimate));
    const freed = await handlers['backups.reclaim']({ backup: name } as never);
    assert.equal(freed.bytesFreed, estimate.bytesToFree);
    assert.deepEqual(await handlers['backups.reclaimEstimate']({ backup: name } as never), { bytesToFree: 0, packsSpared: 0 });
  });
});
