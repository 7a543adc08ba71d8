/**
 * Scheduled backups end to end in `dvom serve`'s host: the real app and
 * server (startServeServer over a WebSocket), a real Docker engine, a temp
 * store and config, an in-memory keychain; only the scheduler's clock is a
 * test clock, moved a minute at a time. A schedule "every minute, keep the
 * last 2, test restore every 2nd run" on an encrypted backup whose password
 * is remembered: every run is a real backup job, then forget + prune, and on
 * every 2nd run a test restore recorded as verification. The store ends with
 * exactly the two newest versions, and the pruned data is gone.
 *
 * Then the real `dvom serve` command in a child process (system clock): a
 * daily schedule last run 3 days ago is caught up once as soon as it starts.
 */
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatDate } from '../../src/shared/format.ts';
import { ApiClient } from '../../src/shared/api/client.ts';
import type { JobDto } from '../../src/shared/api/dto.ts';
import { WebSocketTransport } from '../../src/shared/api/ws-transport.ts';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { versionsOf } from '../../src/main/engine/ops/catalog.ts';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { TestClock } from '../../src/main/scheduler/clock.ts';
import { writeConfig } from '../../src/main/config/config-file.ts';
import { RunStateFile } from '../../src/main/scheduler/run-state.ts';
import { whenKey } from '../../src/main/scheduler/schedule-entry.ts';
import { collectOutput } from '../support/processes.ts';
import { startServeServer, type RunningServer } from '../../src/main/serve/serve-server.ts';
import { acquireDockerLock, DockerScope, dockerSkipReason, dvomLeftovers, ensureEmptyImage } from '../api/docker-helpers.ts';
import { apiUrl, isolateEnvironment, loginCookie, MemorySecretStore, socketFactory } from '../api/transports.ts';

const envDir = isolateEnvironment();
const skip = await dockerSkipReason();
const PASSWORD = 'scheduled backups correct horse';
const FILE_BYTES = 512 * 1024;

let release: (() => Promise<void>) | undefined;
let scope: DockerScope;
let root: string;
let storeDir: string;
let app: DvomApp;
let server: RunningServer;
let client: ApiClient;
let clock: TestClock;
let volume: string;
const jobs = new Map<string, JobDto>();
let scheduleEvents = 0;

before(async () => {
  if (skip) return;
  release = await acquireDockerLock();
  await ensureEmptyImage();
  scope = new DockerScope();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-serve-schedule-'));
  storeDir = path.join(root, 'store');
  await fs.mkdir(path.join(root, 'renderer'), { recursive: true });
  await fs.writeFile(path.join(root, 'renderer', 'index.html'), '<!doctype html><title>test</title>\n');
  volume = await scope.volume('data');
  clock = new TestClock('2026-01-10T10:00:00Z');
  app = new DvomApp({ secrets: new MemorySecretStore(), storeSelection: { backupDir: storeDir }, scheduler: { clock } });
  server = await startServeServer({ app, rendererDir: path.join(root, 'renderer'), port: 0 });
  await app.scheduler.start(); // as `dvom serve` does once it listens
  client = new ApiClient(new WebSocketTransport(apiUrl(server), socketFactory(server, await loginCookie(server))));
  client.on('job.updated', (job) => jobs.set(job.id, job));
  client.on('schedules.changed', () => scheduleEvents++);
});

after(async () => {
  if (skip) return;
  try {
    await server?.close();
    await app?.shutdown();
    await scope?.cleanup();
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(envDir, { recursive: true, force: true });
  } finally {
    await release?.();
  }
});

/** New, incompressible content in the volume, so every version has data of its own. */
async function changeVolume(label: string): Promise<void> {
  const dir = await fs.mkdtemp(path.join(root, 'fill-'));
  await fs.writeFile(path.join(dir, 'payload.bin'), randomBytes(FILE_BYTES));
  await fs.writeFile(path.join(dir, 'label.txt'), label);
  await scope.fill(volume, dir);
}

async function storedBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await fs.stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}

describe('scheduled backups in dvom serve', { skip }, () => {
  it('a schedule "every minute, keep the last 2" makes versions and keeps only 2', { timeout: 300_000 }, async () => {
    // The first backup, by hand through the API: encrypted, password remembered in the keychain.
    await changeVolume('manual');
    const { jobId } = await client.call('jobs.startBackup', { volumes: [volume], backup: 'sched', encrypt: true, password: PASSWORD, rememberPassword: true });
    assert.equal((await app.jobs.wait(jobId))?.state, 'succeeded');
    const manual = (await versionsOf(new LocalBackend(storeDir), 'sched'))[0]!;

    const saved = await client.call('schedules.save', {
      schedule: {
        name: 'every-minute',
        volumes: [volume],
        backup: 'sched',
        when: { kind: 'interval', every: 1, unit: 'minutes' },
        retention: { last: 2 },
        testRestoreEvery: 2,
      },
    });
    assert.equal(saved.nextRun, '2026-01-10T10:01:00.000Z');
    assert.equal(saved.passwordMissing, false);

    const runs: string[] = [];
    for (let i = 1; i <= 3; i++) {
      await changeVolume(`run ${i}`);
      clock.set(new Date(Date.parse('2026-01-10T10:00:00Z') + i * 60_000));
      await app.scheduler.idle();
      const status = (await client.call('schedules.list', {})).schedules[0]!;
      assert.equal(status.lastRun?.outcome, 'succeeded', status.lastRun?.message);
      assert.equal(status.running, false);
      assert.equal(status.nextRun, new Date(Date.parse('2026-01-10T10:00:00Z') + (i + 1) * 60_000).toISOString());
      runs.push(status.lastRun!.message);
    }
    assert.match(runs[0]!, /^Version of [\d-]+ [\d:]+: 2 files, .*; retention kept 2, removed 0|retention kept all 2/);
    assert.match(runs[1]!, /retention kept 2, removed 1 \(.* freed\); test restore passed \(2 files/);
    assert.match(runs[2]!, /retention kept 2, removed 1 \(.* freed\)$/);

    // Every run was a backup job, pushed to the client as events.
    const scheduled = [...jobs.values()].filter((j) => j.title.startsWith('Scheduled backup every-minute (run of '));
    assert.equal(scheduled.length, 3);
    assert.ok(scheduled.every((j) => j.kind === 'backup' && j.state === 'succeeded'));
    assert.ok(scheduleEvents >= 7, `schedules.changed events: ${scheduleEvents}`);

    // The store: exactly the two newest versions (runs 2 and 3); run 2's was test-restored.
    const versions = await versionsOf(new LocalBackend(storeDir), 'sched');
    assert.equal(versions.length, 2);
    // Results name versions by date (a minute apart here).
    const dates = runs.map((m) => /^Version of ([\d-]+ [\d:]+):/.exec(m)![1]!);
    assert.deepEqual(versions.map((v) => formatDate(v.createdAt)), [dates[1], dates[2]]);
    assert.ok(!versions.some((v) => v.id === manual.id));
    const ids = [undefined, versions[0]!.id, versions[1]!.id];
    const listed = await client.call('backups.versions', { backup: 'sched' });
    assert.deepEqual(listed.map((v) => v.id), [ids[2], ids[1]]);
    assert.notEqual(listed.find((v) => v.id === ids[1])!.verifiedAt, null, 'the test restore was recorded');
    assert.equal(listed.find((v) => v.id === ids[2])!.verifiedAt, null);

    // Pruned: the data of the removed versions is gone (4 payloads were written, 2 remain).
    const bytes = await storedBytes(path.join(storeDir, 'backups', 'sched'));
    assert.ok(bytes > 2 * FILE_BYTES && bytes < 3 * FILE_BYTES, `stored ${bytes} bytes`);
    assert.deepEqual(await dvomLeftovers(), [], 'no helper containers or scratch volumes left');
  });

  it('dvom serve (a real process) catches up a schedule missed for 3 days, once, as it starts', { timeout: 180_000 }, async () => {
    const { jobId } = await client.call('jobs.startBackup', { volumes: [volume], backup: 'plain', encrypt: false });
    assert.equal((await app.jobs.wait(jobId))?.state, 'succeeded');
    const childDir = await fs.mkdtemp(path.join(root, 'child-'));
    const configFile = path.join(childDir, 'config.json');
    const daily = { kind: 'daily' as const, at: '02:00' };
    const day = 86_400_000;
    const lastSlot = new Date(Math.floor(Date.now() / day) * day - 3 * day + 2 * 3_600_000);
    await writeConfig({ version: 1, schedules: [{ name: 'catch-up', volumes: [volume], backup: 'plain', when: daily, retention: { last: 5 } }] }, configFile);
    const state = new RunStateFile(path.join(childDir, 'schedule-state.json'));
    await state.update((doc) => {
      doc.schedules['catch-up'] = { since: new Date(Date.now() - 10 * day).toISOString(), whenKey: whenKey(daily), enabled: true, lastSlot: lastSlot.toISOString(), runs: 1 };
    });

    const env: NodeJS.ProcessEnv = { ...process.env, DVOM_CONFIG: configFile, TZ: 'UTC', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
    const child = spawn(process.execPath, [path.resolve('src/main/cli/dvom.ts'), 'serve', `--backup-dir=${storeDir}`, '--port=0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collectOutput(child, 120_000);
    try {
      const deadline = Date.now() + 90_000;
      let entry = (await state.read()).schedules['catch-up'];
      while (!entry?.lastRun && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        entry = (await state.read()).schedules['catch-up'];
      }
      assert.equal(entry?.lastRun?.outcome, 'succeeded', JSON.stringify(entry));
      assert.equal(entry.runs, 2);
      // All missed run times collapsed into the latest: today's 02:00 (UTC), or yesterday's before that.
      const today2 = Math.floor(Date.now() / day) * day + 2 * 3_600_000;
      assert.equal(entry.lastSlot, new Date(Date.now() >= today2 ? today2 : today2 - day).toISOString());
    } finally {
      child.kill('SIGTERM');
    }
    const result = await output;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Schedules run in this process/);
    assert.match(result.stderr, /Schedule 'catch-up': catching up the run of .* missed while DVOM was not running/);
    assert.equal((result.stderr.match(/Schedule 'catch-up' succeeded/g) ?? []).length, 1, result.stderr);
    assert.equal((await versionsOf(new LocalBackend(storeDir), 'plain')).length, 2);
  });
});
