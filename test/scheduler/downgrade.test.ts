/**
 * Finding H1 on the paths with nobody to ask: a scheduled run and the app
 * take an encrypted backup's password from the keychain. When the store was
 * edited to say the backup is plain, they refuse (INTEGRITY, exit 5 in the
 * CLI's terms) before writing anything; and a backup whose repository id
 * changed is refused too. Real config, store, scheduler and job manager; the
 * scheduled run is the app's real runner, which opens the backup before it
 * needs Docker.
 */
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { writeConfig } from '../../src/main/config/config-file.ts';
import { knownBackupFile } from '../../src/main/config/known-backups.ts';
import { isDvomError } from '../../src/main/engine/errors.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { appRunner } from '../../src/main/scheduler/app-runner.ts';
import { TestClock } from '../../src/main/scheduler/clock.ts';
import { createOrOpenBackup } from '../../src/main/services/create-or-open.ts';
import { openWithPassword, passwordFinder } from '../../src/main/services/open-backup.ts';
import { rememberPassword } from '../../src/main/services/passwords.ts';
import { MemorySecretStore } from '../api/transports.ts';
import { downgradeToPlain, storeSnapshot } from '../support/tamper-store.ts';

const PASSWORD = 'keychain password';

/** An app whose scheduler runs the real runner, with backup 'vault' made encrypted through the services and its password in the keychain. */
async function setup(t: { after(fn: () => Promise<void>): void }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-h1-sched-'));
  process.env.DVOM_CONFIG = path.join(dir, 'config.json');
  const storeDir = path.join(dir, 'store');
  await writeConfig({
    version: 1,
    targets: {},
    schedules: [{ name: 'nightly', volumes: ['v1'], backup: 'vault', when: { kind: 'daily', at: '02:00' } }],
  });
  const store = new LocalBackend(storeDir);
  const secrets = new MemorySecretStore();
  await createOrOpenBackup(store, 'vault', {
    encrypt: true,
    finder: passwordFinder('vault', PASSWORD, async () => undefined),
    newCredential: async () => ({ credential: { kind: 'password', password: PASSWORD }, source: 'given' }),
    warn: () => undefined,
  });
  await rememberPassword(secrets, store, 'vault', PASSWORD);
  const clock = new TestClock('2026-01-10T10:00:00Z');
  const app: DvomApp = new DvomApp({
    secrets,
    storeSelection: { backupDir: storeDir },
    // Docker is never reached: the run must stop at opening the backup.
    scheduler: { clock, runner: (s, ctx) => appRunner({ docker: () => Promise.reject(new Error('no docker here')), events: app.events })(s, ctx), stateFile: path.join(dir, 'state.json') },
  });
  t.after(async () => {
    await app.shutdown();
    await fs.rm(dir, { recursive: true, force: true });
  });
  return { dir, storeDir, store, secrets, app };
}

/** Runs the schedule now and returns the job's error code and message. */
async function runNow(app: DvomApp): Promise<{ code: string | undefined; message: string | undefined }> {
  const job = await app.jobs.wait(await app.scheduler.runNow('nightly'));
  return { code: job?.error?.code, message: job?.error?.message };
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => isDvomError(err, 'INTEGRITY') && pattern.test((err as Error).message));
}

describe('H1 with the password in the keychain (scheduler and app)', () => {
  it('a config rewritten to plain: the scheduled run, the app and a new backup job refuse and write nothing', async (t) => {
    const { storeDir, store, secrets, app } = await setup(t);
    await downgradeToPlain(storeDir, 'vault');
    const before = await storeSnapshot(storeDir);

    const run = await runNow(app);
    assert.equal(run.code, 'INTEGRITY');
    assert.match(run.message ?? '', /backup 'vault' in .* was encrypted when this machine last used it, but its config now says it is not/);
    await rejectsWith(openWithPassword(store, secrets, 'vault', undefined), /was encrypted when this machine last used it/);
    // The app's backup job opens through createOrOpenBackup, with the keychain's password.
    const job = createOrOpenBackup(store, 'vault', {
      encrypt: false,
      finder: passwordFinder('vault', undefined, () => secrets.get('backup-password', `${store.location}#vault`)),
      newCredential: () => Promise.reject(new Error('not asked')),
      warn: () => undefined,
    });
    await rejectsWith(job, /was encrypted when this machine last used it/);

    // Without this machine's memory of it (another host), the remembered password alone refuses it.
    await fs.rm(knownBackupFile(store.location, 'vault'));
    const elsewhere = await runNow(app);
    assert.equal(elsewhere.code, 'INTEGRITY');
    assert.match(elsewhere.message ?? '', /says it is not encrypted, but a password remembered in the keychain for it/);
    assert.deepEqual(await storeSnapshot(storeDir), before, 'nothing was written to the store');
  });

  it('a backup whose repository id changed is refused by the scheduled run', async (t) => {
    const { dir, storeDir, store, app } = await setup(t);
    // Another encrypted backup of the same name and password, made elsewhere, takes its place.
    const otherDir = path.join(dir, 'other');
    await createOrOpenBackup(new LocalBackend(otherDir), 'vault', {
      encrypt: true,
      finder: passwordFinder('vault', PASSWORD, async () => undefined),
      newCredential: async () => ({ credential: { kind: 'password', password: PASSWORD }, source: 'given' }),
      warn: () => undefined,
    });
    await fs.rm(path.join(storeDir, 'backups', 'vault'), { recursive: true });
    await fs.cp(path.join(otherDir, 'backups', 'vault'), path.join(storeDir, 'backups', 'vault'), { recursive: true });
    const before = await storeSnapshot(storeDir);
    const run = await runNow(app);
    assert.equal(run.code, 'INTEGRITY');
    assert.match(run.message ?? '', /backup 'vault' in .* is not the backup this machine knew: its repository id changed/);
    assert.match(run.message ?? '', new RegExp(knownBackupFile(store.location, 'vault').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.deepEqual(await storeSnapshot(storeDir), before);
  });
});
