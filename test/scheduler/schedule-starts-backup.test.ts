/**
 * A schedule that starts its backup, through the API (Dispatcher, params
 * validated as from a renderer) and the app's real scheduler runner on a real
 * Docker volume: saved with encrypt + password for a volume that has no
 * backup, the password goes to the keychain (never the config, never back),
 * and the first run creates the backup encrypted with it. An enabled schedule
 * whose encrypted backup's password is not remembered is refused with
 * PASSWORD_NOT_REMEMBERED on field 'password'.
 */
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiMethod, ParamsOf, ResultOf } from '../../src/shared/api/contract.ts';
import type { ApiErrorShape } from '../../src/shared/api/errors.ts';
import { createHandlers } from '../../src/main/app/api-handlers.ts';
import { Dispatcher } from '../../src/main/app/dispatcher.ts';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { writeConfig } from '../../src/main/config/config-file.ts';
import { Repository } from '../../src/main/engine/repo/repository.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { TestClock } from '../../src/main/scheduler/clock.ts';
import { passwordFinder, openBackup } from '../../src/main/services/open-backup.ts';
import { rememberedPassword } from '../../src/main/services/passwords.ts';
import { acquireDockerLock, DockerScope, dockerSkipReason, ensureEmptyImage } from '../api/docker-helpers.ts';
import { MemorySecretStore } from '../api/transports.ts';

const PASSWORD = 'first run makes me';
const skip = await dockerSkipReason();

describe('a schedule that starts its backup (API, real scheduler runner, real Docker volume)', { skip }, () => {
  let release: (() => Promise<void>) | undefined;
  let scope: DockerScope;
  let volume: string;
  let dir: string;
  let store: LocalBackend;
  let secrets: MemorySecretStore;
  let app: DvomApp;
  let dispatcher: Dispatcher;

  const call = async <M extends ApiMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> => {
    const outcome = await dispatcher.dispatch(method, params);
    if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), outcome.error);
    return outcome.result as ResultOf<M>;
  };
  const fails = async (method: ApiMethod, params: unknown): Promise<ApiErrorShape> => {
    const outcome = await dispatcher.dispatch(method, params);
    assert.equal(outcome.ok, false, `${method} should fail`);
    return (outcome as { error: ApiErrorShape }).error;
  };
  const nightly = (extra: Record<string, unknown> = {}) => ({ name: 'fresh', volumes: [volume], backup: 'fresh', when: { kind: 'daily' as const, at: '02:00' }, ...extra });

  before(async () => {
    release = await acquireDockerLock();
    await ensureEmptyImage();
    scope = new DockerScope();
    volume = await scope.volume('fresh');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-sched-starts-'));
    const fill = path.join(dir, 'fill');
    await fs.mkdir(fill);
    await fs.writeFile(path.join(fill, 'first.txt'), 'made by the first scheduled run\n');
    await scope.fill(volume, fill);
    process.env.DVOM_CONFIG = path.join(dir, 'config.json');
    await writeConfig({ version: 1, targets: {}, schedules: [], schedulesPaused: false });
    store = new LocalBackend(path.join(dir, 'store'));
    await Repository.create(store, 'locked-out', { encrypted: true, credential: { kind: 'password', password: 'elsewhere' }, scrypt: { N: 1024, r: 8, p: 1 } });
    secrets = new MemorySecretStore();
    app = new DvomApp({ secrets, storeSelection: { backupDir: path.join(dir, 'store') }, scheduler: { clock: new TestClock('2026-01-10T10:00:00Z'), stateFile: path.join(dir, 'state.json') } });
    dispatcher = new Dispatcher(createHandlers(app));
  });

  after(async () => {
    try {
      await app?.shutdown();
      await scope?.cleanup();
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    } finally {
      await release?.();
    }
  });

  it('refuses an enabled encrypted schedule without a password, then saves one with it; the first run creates the backup encrypted', { timeout: 180_000 }, async () => {
    const noPassword = await fails('schedules.save', { schedule: nightly({ encrypt: true }) });
    assert.equal(noPassword.code, 'PASSWORD_NOT_REMEMBERED');
    assert.equal(noPassword.field, 'password');
    assert.equal((await call('schedules.list', {})).schedules.length, 0, 'nothing was saved');

    const saved = await call('schedules.save', { schedule: nightly({ encrypt: true }), password: PASSWORD });
    assert.equal(saved.encrypt, true);
    assert.equal(saved.passwordMissing, false);
    assert.doesNotMatch(JSON.stringify(saved), new RegExp(PASSWORD), 'the password never comes back');
    assert.doesNotMatch(await fs.readFile(process.env.DVOM_CONFIG!, 'utf8'), new RegExp(PASSWORD), 'nor goes into the config');
    assert.equal(await rememberedPassword(secrets, store, 'fresh'), PASSWORD);

    const { jobId } = await call('schedules.runNow', { name: 'fresh' });
    const job = await app.jobs.wait(jobId);
    assert.equal(job?.state, 'succeeded', job?.error?.message);
    assert.match(job!.title, new RegExp(`fresh.*${volume}`), 'the title names the backup and the volume');

    // The backup exists now, encrypted with the password given at save time: the wrong one does not open it.
    const opened = await openBackup(store, 'fresh', passwordFinder('fresh', PASSWORD, async () => undefined));
    assert.equal(opened.repo.config.encrypted, true);
    const versions = await opened.repo.versions();
    assert.equal(versions.length, 1);
    assert.deepEqual(versions[0]!.volumes, [volume]);
    await assert.rejects(openBackup(store, 'fresh', passwordFinder('fresh', 'not it', async () => undefined)), /password/i);
    const status = (await call('schedules.list', {})).schedules.find((s) => s.name === 'fresh')!;
    assert.equal(status.lastRun?.outcome, 'succeeded');
  });

  it('an existing encrypted backup whose password is not remembered: enabled is refused (typed, by field), disabled is saved, enabling is refused', async () => {
    const refused = await fails('schedules.save', { schedule: nightly({ name: 'late', backup: 'locked-out' }) });
    assert.equal(refused.code, 'PASSWORD_NOT_REMEMBERED');
    assert.equal(refused.field, 'password');
    const withPassword = await fails('schedules.save', { schedule: nightly({ name: 'late', backup: 'locked-out', encrypt: true }), password: 'elsewhere' });
    assert.equal(withPassword.code, 'INVALID_ARGUMENT', 'a password for an existing backup is remembered where it is checked, not here');
    assert.equal(withPassword.field, 'password');
    assert.equal(await rememberedPassword(secrets, store, 'locked-out'), undefined);

    const disabled = await call('schedules.save', { schedule: nightly({ name: 'late', backup: 'locked-out', enabled: false }) });
    assert.equal(disabled.passwordMissing, true);
    const enabling = await fails('schedules.setEnabled', { name: 'late', enabled: true });
    assert.equal(enabling.code, 'PASSWORD_NOT_REMEMBERED');
    await call('secrets.setPassword', { backup: 'locked-out', password: 'elsewhere' });
    assert.equal((await call('schedules.setEnabled', { name: 'late', enabled: true })).enabled, true);
  });
});
