/**
 * The Scheduler on a controllable clock with a fake runner (real config,
 * run-state file, store and jobs): new schedules, catch-up once after a gap,
 * no catch-up when off, a late timer after sleep, no overlap, paused and
 * disabled schedules, testRestoreEvery counting, a missing password, locked
 * and missing backups, run now, and two hosts on one config.
 */
process.env.TZ = 'UTC'; // before any Date is made

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DvomError } from '../../src/main/engine/errors.ts';
import { whenKey } from '../../src/main/scheduler/schedule-entry.ts';
import { passwordAccount } from '../../src/main/secrets/accounts.ts';
import type { RunStateDoc } from '../../src/main/scheduler/run-state.ts';
import type { ScheduleWhen } from '../../src/shared/schedule.ts';
import { createFixture, ENC_PASSWORD, schedule, type Fixture } from './scheduler-fixture.ts';

const every10: ScheduleWhen = { kind: 'interval', every: 10, unit: 'minutes' };
const daily2: ScheduleWhen = { kind: 'daily', at: '02:00' };

async function statusOf(f: Fixture, name: string) {
  const list = await f.app.scheduler.status();
  const s = list.schedules.find((x) => x.name === name);
  assert.ok(s, `schedule ${name} in the status`);
  return s;
}

/** Run state of schedule 'nightly' (known since 2026-01-01, set up for `when`): last run at `lastSlot`, `runs` runs so far. */
const nightlyLastRan = (when: ScheduleWhen, lastSlot: string, runs: number): RunStateDoc => ({
  version: 1,
  paused: false,
  schedules: { nightly: { since: '2026-01-01T00:00:00.000Z', whenKey: whenKey(when), enabled: true, lastSlot, runs } },
});

const outcomes = (f: Fixture) => f.finished.map((x) => `${x.schedule}:${x.run.outcome}`);

describe('Scheduler', () => {
  it('a new schedule does not run at once; it runs at its next time, then on its interval', async () => {
    const f = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('s', every10)] });
    try {
      assert.equal(f.runner.calls.length, 0);
      assert.equal((await statusOf(f, 's')).nextRun, '2026-01-10T10:10:00.000Z');
      assert.ok(f.clock.pending().every((t) => t.getTime() <= Date.parse('2026-01-10T10:01:00Z')), 'timers at most a minute ahead');
      await f.moveTo('2026-01-10T10:09:59Z');
      assert.equal(f.runner.calls.length, 0);
      await f.moveTo('2026-01-10T10:10:00Z');
      await f.moveTo('2026-01-10T10:20:00Z');
      assert.deepEqual(f.runner.calls.map((c) => c.at), ['2026-01-10T10:10:00.000Z', '2026-01-10T10:20:00.000Z']);
      const s = await statusOf(f, 's');
      assert.equal(s.lastRun?.outcome, 'succeeded');
      assert.equal(s.lastRun?.message, 'fake run 2');
      assert.equal(s.nextRun, '2026-01-10T10:30:00.000Z');
      assert.equal(s.running, false);
      assert.equal(s.passwordMissing, false);
      // The runs went through the job manager as backup jobs.
      const jobs = f.app.jobs.list();
      assert.equal(jobs.length, 2);
      assert.ok(jobs.every((j) => j.kind === 'backup' && j.title.startsWith('Scheduled backup s (run of ') && j.title.endsWith('): v1 to b1 on the default store') && j.state === 'succeeded'));
      assert.equal(new Set(jobs.map((j) => j.title)).size, 2, `two runs, two titles: ${jobs.map((j) => j.title).join(' | ')}`);
      assert.ok(f.events >= 4, 'schedules.changed on each start and finish');
    } finally {
      await f.close();
    }
  });

  it('catch-up: the host starting 3 days after the last run runs exactly once, then on schedule', async () => {
    const f = await createFixture({
      now: '2026-01-10T10:00:00Z',
      schedules: [schedule('nightly', daily2)],
      state: nightlyLastRan(daily2, '2026-01-07T02:00:00.000Z', 4),
    });
    try {
      assert.deepEqual(f.runner.calls.map((c) => c.at), ['2026-01-10T10:00:00.000Z']);
      assert.deepEqual(outcomes(f), ['nightly:succeeded']);
      assert.equal((await f.state.read()).schedules.nightly?.lastSlot, '2026-01-10T02:00:00.000Z');
      assert.equal((await f.state.read()).schedules.nightly?.runs, 5);
      assert.equal((await statusOf(f, 'nightly')).nextRun, '2026-01-11T02:00:00.000Z');
      await f.moveTo('2026-01-10T23:00:00Z');
      assert.equal(f.runner.calls.length, 1);
      await f.moveTo('2026-01-11T02:00:00Z');
      assert.equal(f.runner.calls.length, 2);
    } finally {
      await f.close();
    }
  });

  it('no catch-up when it is off: the missed run is recorded as skipped, the next one runs on time', async () => {
    const f = await createFixture({
      now: '2026-01-10T10:00:00Z',
      schedules: [schedule('nightly', daily2, { catchUp: false })],
      state: nightlyLastRan(daily2, '2026-01-07T02:00:00.000Z', 0),
    });
    try {
      assert.equal(f.runner.calls.length, 0);
      const s = await statusOf(f, 'nightly');
      assert.equal(s.lastRun?.outcome, 'skipped');
      assert.match(s.lastRun!.message, /^Missed the run of 2026-01-10 02:00:00 .*catch-up is off/);
      assert.equal(s.nextRun, '2026-01-11T02:00:00.000Z');
      // Within a few minutes of its time a run is not "missed": a timer may fire a little late.
      await f.moveTo('2026-01-11T02:03:00Z', { jump: true });
      assert.deepEqual(f.runner.calls.map((c) => c.at), ['2026-01-11T02:03:00.000Z']);
      assert.equal(f.app.scheduler.state(), 'idle', 'a skipped run is not a failure');
    } finally {
      await f.close();
    }
  });

  it('a timer firing late (the computer slept 3 days) runs once, not once per missed time', async () => {
    const f = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('s', every10)] });
    try {
      await f.moveTo('2026-01-10T10:10:00Z');
      assert.equal(f.runner.calls.length, 1);
      await f.moveTo('2026-01-13T10:15:00Z', { jump: true });
      assert.deepEqual(f.runner.calls.map((c) => c.at), ['2026-01-10T10:10:00.000Z', '2026-01-13T10:15:00.000Z']);
      // The interval keeps its grid: the latest missed time was 10:10, the next is 10:20.
      assert.equal((await f.state.read()).schedules.s?.lastSlot, '2026-01-13T10:10:00.000Z');
      await f.moveTo('2026-01-13T10:20:00Z');
      assert.equal(f.runner.calls.length, 3);
      assert.deepEqual(outcomes(f), ['s:succeeded', 's:succeeded', 's:succeeded']);
    } finally {
      await f.close();
    }
  });

  it('no overlap: a run due while the previous one on the same backup still goes is skipped and recorded', async () => {
    const f = await createFixture({
      now: '2026-01-10T10:00:00Z',
      schedules: [schedule('s', every10), schedule('other', { kind: 'interval', every: 15, unit: 'minutes' }), schedule('elsewhere', every10, { backup: 'b2' })],
    });
    const states: string[] = [];
    f.app.scheduler.onStateChange((s) => states.push(s));
    try {
      f.runner.hold = true;
      await f.moveTo('2026-01-10T10:10:00Z', { runs: false });
      await f.runner.calledTimes(2);
      assert.deepEqual(f.runner.calls.map((c) => c.schedule).sort(), ['elsewhere', 's']);
      assert.equal(f.app.scheduler.state(), 'running');
      assert.ok(f.app.scheduler.isRunning('s'));
      assert.ok(f.app.scheduler.isRunning());
      assert.equal((await statusOf(f, 's')).running, true);
      // 10:15: 'other' writes the same backup as the running 's'.
      await f.moveTo('2026-01-10T10:15:00Z', { runs: false });
      // 10:20: 's' itself is due again while still running.
      await f.moveTo('2026-01-10T10:20:00Z', { runs: false });
      assert.equal(f.runner.calls.length, 2, 'nothing queued, nothing started');
      assert.deepEqual(outcomes(f), ['other:skipped', 's:skipped', 'elsewhere:skipped']);
      assert.match(f.finished[0]!.run.message, /Skipped the run of 2026-01-10 10:15:00: schedule 's' was still writing backup 'b1'/);
      assert.match(f.finished[1]!.run.message, /Skipped the run of 2026-01-10 10:20:00: its previous run was still writing backup 'b1'/);
      f.runner.release();
      await f.app.scheduler.idle();
      assert.deepEqual(outcomes(f).slice(3).sort(), ['elsewhere:succeeded', 's:succeeded']);
      assert.equal((await statusOf(f, 's')).lastRun?.outcome, 'succeeded');
      assert.equal(f.app.scheduler.state(), 'idle');
      assert.deepEqual(states, ['running', 'idle']);
      // Not queued: the next runs happen at their own times.
      // 10:30: 's' and 'elsewhere' run; 'other' (due too, same backup as 's') is skipped.
      await f.moveTo('2026-01-10T10:30:00Z');
      assert.deepEqual(f.runner.calls.slice(2).map((c) => c.schedule).sort(), ['elsewhere', 's']);
      assert.ok(outcomes(f).slice(5).includes('other:skipped'));
    } finally {
      f.runner.release();
      await f.close();
    }
  });

  it('paused: nothing runs; resuming does not catch up the paused time', async () => {
    const f = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('s', every10)], paused: true });
    try {
      await f.moveTo('2026-01-10T11:00:00Z');
      await f.moveTo('2026-01-10T12:00:00Z', { jump: true });
      assert.equal(f.runner.calls.length, 0);
      const list = await f.app.scheduler.status();
      assert.equal(list.paused, true);
      assert.equal(list.schedules[0]!.nextRun, null);
      await f.app.scheduler.setPaused(false);
      await f.app.scheduler.idle();
      assert.equal(f.runner.calls.length, 0, 'no catch-up for paused time');
      assert.equal((await statusOf(f, 's')).nextRun, '2026-01-10T12:10:00.000Z');
      await f.moveTo('2026-01-10T12:10:00Z');
      assert.equal(f.runner.calls.length, 1);
      await f.app.scheduler.setPaused(true);
      await f.moveTo('2026-01-10T13:00:00Z');
      assert.equal(f.runner.calls.length, 1);
    } finally {
      await f.close();
    }
  });

  it('disabled: nothing runs; enabling does not catch up', async () => {
    const f = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('s', every10, { enabled: false }), schedule('on', daily2)] });
    try {
      await f.moveTo('2026-01-10T11:00:00Z');
      assert.equal(f.runner.calls.length, 0);
      assert.equal((await statusOf(f, 's')).nextRun, null);
      const enabled = await f.app.scheduler.setEnabled('s', true);
      assert.equal(enabled.enabled, true);
      assert.equal(enabled.nextRun, '2026-01-10T11:10:00.000Z');
      await f.app.scheduler.idle();
      assert.equal(f.runner.calls.length, 0);
      await f.moveTo('2026-01-10T11:10:00Z');
      assert.deepEqual(f.runner.calls.map((c) => c.schedule), ['s']);
      await f.app.scheduler.setEnabled('s', false);
      await f.moveTo('2026-01-10T12:00:00Z');
      assert.equal(f.runner.calls.length, 1);
    } finally {
      await f.close();
    }
  });

  it('testRestoreEvery: every 3rd successful run includes a test restore; a failed run does not count', async () => {
    const f = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('s', every10, { testRestoreEvery: 3 })] });
    try {
      for (let i = 1; i <= 7; i++) {
        f.runner.failWith = i === 3 ? new DvomError('INTEGRITY', 'version x was saved, but the test restore failed: file a differs') : undefined;
        await f.moveTo(new Date(Date.parse('2026-01-10T10:00:00Z') + i * 600_000).toISOString());
      }
      assert.deepEqual(
        f.runner.calls.map((c) => c.testRestore),
        [false, false, true, true, false, false, true],
      );
      assert.deepEqual(outcomes(f), ['s:succeeded', 's:succeeded', 's:failed', 's:succeeded', 's:succeeded', 's:succeeded', 's:succeeded']);
      assert.equal((await f.state.read()).schedules.s?.runs, 6);
      assert.match(f.finished.at(-1)!.run.message, /with test restore/);
    } finally {
      await f.close();
    }
  });

  it('a missing password: the run fails with a clear message, the status and the state say so', async () => {
    const f = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('secret', every10, { backup: 'enc' })] });
    try {
      assert.equal((await statusOf(f, 'secret')).passwordMissing, true);
      await f.moveTo('2026-01-10T10:10:00Z');
      assert.equal(f.runner.calls.length, 0, 'the runner is never called without the password');
      const s = await statusOf(f, 'secret');
      assert.equal(s.lastRun?.outcome, 'failed');
      assert.match(s.lastRun!.message, /backup 'enc' is encrypted and its password is not remembered in the test keychain/);
      assert.equal(f.app.scheduler.state(), 'failed');
      const job = f.app.jobs.list()[0]!;
      assert.equal(job.state, 'failed');
      assert.equal(job.error?.code, 'PASSWORD_REQUIRED');
      // Remembered: the next run gets it.
      const store = await f.app.store();
      await f.secrets.set('backup-password', passwordAccount(store.location, 'enc'), ENC_PASSWORD);
      assert.equal((await statusOf(f, 'secret')).passwordMissing, false);
      await f.moveTo('2026-01-10T10:20:00Z');
      assert.equal(f.runner.calls[0]?.password, ENC_PASSWORD);
      assert.equal(f.app.scheduler.state(), 'idle');
    } finally {
      await f.close();
    }
  });

  it('a backup locked by another process is skipped; a backup that does not exist fails with what to do', async () => {
    const f = await createFixture({
      now: '2026-01-10T10:00:00Z',
      schedules: [schedule('locked', every10), schedule('nobackup', every10, { backup: 'never-made' })],
    });
    try {
      f.runner.failWith = new DvomError('LOCKED', "backup 'b1' is in use by 'prune' on host (pid 1) since …");
      await f.moveTo('2026-01-10T10:10:00Z');
      const locked = await statusOf(f, 'locked');
      assert.equal(locked.lastRun?.outcome, 'skipped');
      assert.match(locked.lastRun!.message, /^Skipped: backup 'b1' is in use by 'prune'/);
      const missing = await statusOf(f, 'nobackup');
      assert.equal(missing.lastRun?.outcome, 'failed');
      assert.match(missing.lastRun!.message, /backup 'never-made' does not exist in .*make its first backup/);
      assert.equal(missing.passwordMissing, false);
    } finally {
      await f.close();
    }
  });

  it('run now: a job at once, NOT_FOUND for unknown names, LOCKED while running; the next run time stays', async () => {
    const f = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('s', every10, { enabled: false }), schedule('t', daily2)] });
    try {
      await assert.rejects(f.app.scheduler.runNow('nope'), (e: DvomError) => e.code === 'NOT_FOUND' && /no schedule named 'nope'/.test(e.message));
      f.runner.hold = true;
      const jobId = await f.app.scheduler.runNow('s');
      assert.match(jobId, /^job-[0-9a-f]{12}$/);
      assert.equal((await statusOf(f, 's')).running, true);
      await f.runner.calledTimes(1);
      await assert.rejects(f.app.scheduler.runNow('t'), (e: DvomError) => e.code === 'LOCKED' && /being written by schedule 's'/.test(e.message));
      f.runner.release();
      assert.equal((await f.app.jobs.wait(jobId))?.state, 'succeeded');
      await f.app.scheduler.idle();
      assert.equal((await statusOf(f, 's')).lastRun?.outcome, 'succeeded');
      assert.equal((await statusOf(f, 't')).nextRun, '2026-01-11T02:00:00.000Z');
    } finally {
      f.runner.release();
      await f.close();
    }
  });

  it('changing when a schedule runs counts from the change: no catch-up for the old times', async () => {
    const f = await createFixture({
      now: '2026-01-10T10:00:00Z',
      schedules: [schedule('nightly', daily2)],
      state: nightlyLastRan({ kind: 'daily', at: '03:00' }, '2026-01-07T03:00:00.000Z', 0),
    });
    try {
      assert.equal(f.runner.calls.length, 0, 'the config changed while no host ran: counted from now');
      await f.app.scheduler.save(schedule('nightly', { kind: 'daily', at: '01:00' }));
      await f.app.scheduler.idle();
      assert.equal(f.runner.calls.length, 0);
      assert.equal((await statusOf(f, 'nightly')).nextRun, '2026-01-11T01:00:00.000Z');
    } finally {
      await f.close();
    }
  });

  it('two hosts on one config: only one runs the schedules, the other only shows them', async () => {
    const a = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('s', every10)] });
    const b = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [], dir: a.dir });
    try {
      await a.moveTo('2026-01-10T10:10:00Z');
      await b.moveTo('2026-01-10T10:10:00Z');
      assert.equal(a.runner.calls.length + b.runner.calls.length, 1);
      assert.equal(a.runner.calls.length, 1, 'the first host keeps running them');
      assert.equal((await b.app.scheduler.status()).schedules[0]!.lastRun?.outcome, 'succeeded');
    } finally {
      await b.close();
      await a.close();
    }
  });
});
