/**
 * A schedule whose rules see only its own versions (issue 14, item 7), on a
 * real store and a real Docker volume: each version records what made it
 * (by hand in the app, another schedule, this schedule), a run with a
 * policy of one version removes only this schedule's older versions, and
 * the editor's preview says the same (with the origins it shows a warning
 * from when the option is off).
 */
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scheduleSchema, type Schedule } from '../../src/shared/schedule.ts';
import Docker from 'dockerode';
import { Repository } from '../../src/main/engine/repo/repository.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { rememberPassword } from '../../src/main/services/passwords.ts';
import { retentionPreview } from '../../src/main/services/retention-preview.ts';
import { retentionScope, runScheduledBackup } from '../../src/main/services/scheduled-backup.ts';
import { backupVolumes } from '../../src/main/volumes/backup-volumes.ts';
import { acquireDockerLock, DockerScope, dockerSkipReason, ensureEmptyImage } from '../api/docker-helpers.ts';
import { MemorySecretStore } from '../api/transports.ts';

const PASSWORD = 'own versions only';
const skip = await dockerSkipReason();

describe('a schedule that applies retention only to its own versions (real store, real Docker volume)', { skip }, () => {
  let release: (() => Promise<void>) | undefined;
  let scope: DockerScope;
  let volume: string;
  let dir: string;
  let store: LocalBackend;
  let repo: Repository;
  const docker = new Docker();

  const schedule = (extra: Partial<Schedule>): Schedule =>
    scheduleSchema.parse({ name: 'hourly', volumes: [volume], backup: 'mixed', when: { kind: 'interval', every: 1, unit: 'hours' }, retention: { last: 1 }, ...extra });
  const origins = async () => (await repo.versions()).map((v) => (v.origin.kind === 'schedule' ? `schedule:${v.origin.schedule}` : v.origin.kind));

  before(async () => {
    release = await acquireDockerLock();
    await ensureEmptyImage();
    scope = new DockerScope();
    volume = await scope.volume('own');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-own-versions-'));
    const fill = path.join(dir, 'fill');
    await fs.mkdir(fill);
    await fs.writeFile(path.join(fill, 'a.txt'), 'some data\n');
    await scope.fill(volume, fill);
    store = new LocalBackend(path.join(dir, 'store'));
    repo = await Repository.create(store, 'mixed', { encrypted: true, credential: { kind: 'password', password: PASSWORD }, scrypt: { N: 1024, r: 8, p: 1 } });
  });

  after(async () => {
    try {
      await scope?.cleanup();
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    } finally {
      await release?.();
    }
  });

  it('runs with a keep-last-1 policy never remove the version made by hand or by another schedule', { timeout: 240_000 }, async () => {
    await backupVolumes(repo, docker, { volumes: [volume], origin: { kind: 'manual' } });
    await backupVolumes(repo, docker, { volumes: [volume], origin: { kind: 'schedule', schedule: 'nightly' } });
    const own = schedule({ ownVersionsOnly: true });
    for (let run = 1; run <= 3; run++) {
      const result = await runScheduledBackup(repo, docker, own, { testRestore: false });
      assert.deepEqual(result.version.origin, { kind: 'schedule', schedule: 'hourly' });
      // Its rules see its own versions only: one kept, the previous one (from run 2 on) removed.
      assert.deepEqual(result.retention, { kept: 1, removed: run === 1 ? 0 : 1, bytesFreed: result.retention!.bytesFreed });
    }
    assert.deepEqual(await origins(), ['manual', 'schedule:nightly', 'schedule:hourly']);
  });

  it('the preview shows the same decision, and with the option off lists what else the rules would remove', async () => {
    const secrets = new MemorySecretStore();
    await rememberPassword(secrets, store, 'mixed', PASSWORD);
    const own = await retentionPreview(store, secrets, 'mixed', { last: 1 }, retentionScope({ name: 'hourly', ownVersionsOnly: true }));
    assert.equal(own?.remove.length, 0);
    assert.equal(own?.untouched, 2);
    assert.deepEqual(own?.keep.map((k) => k.origin), [{ kind: 'schedule', schedule: 'hourly' }]);

    const all = await retentionPreview(store, secrets, 'mixed', { last: 1 }, retentionScope({ name: 'hourly', ownVersionsOnly: false }));
    assert.equal(all?.untouched, undefined);
    assert.deepEqual(all?.remove.map((v) => v.origin), [{ kind: 'schedule', schedule: 'nightly' }, { kind: 'manual' }]);

    assert.equal(all?.originsUnknown, undefined);
    // Without the password the origins (stored encrypted) are unknown, and the preview says so; the decision is the same.
    const locked = await retentionPreview(store, new MemorySecretStore(), 'mixed', { last: 1 }, undefined);
    assert.deepEqual(locked?.remove.map((v) => v.origin), [{ kind: 'unknown' }, { kind: 'unknown' }]);
    assert.equal(locked?.originsUnknown, true);
  });

  it('a schedule saved before the option (absent) still applies its rules to every version, as then', { timeout: 120_000 }, async () => {
    const old = schedule({});
    assert.equal(old.ownVersionsOnly, undefined);
    const result = await runScheduledBackup(repo, docker, old, { testRestore: false });
    assert.equal(result.retention?.removed, 3);
    assert.deepEqual(await origins(), ['schedule:hourly']);
  });
});
