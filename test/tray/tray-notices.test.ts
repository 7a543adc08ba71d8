/**
 * Notifications for scheduled runs, fed by the scheduler's onRunFinished:
 * failures always, successes only with notifyOnSuccess, skipped runs never.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Schedule, ScheduleRun } from '../../src/shared/schedule.ts';
import { runNotice, watchScheduledRuns, type RunFinishedSource, type RunNotice } from '../../src/main/desktop/tray-notices.ts';
import { schedule as savedSchedule } from './schedule-fixtures.ts';

const at = new Date().toISOString();
const run = (outcome: ScheduleRun['outcome'], message = ''): ScheduleRun => ({ at, outcome, message });

const schedule = (name: string, notifyOnSuccess: boolean): Schedule => savedSchedule(name, { notifyOnSuccess });

/** A stand-in for the Scheduler's run-finished hook. */
function fakeScheduler(): RunFinishedSource & { finish(s: Schedule, r: ScheduleRun): void; listeners: number } {
  const listeners = new Set<(s: Schedule, r: ScheduleRun) => void>();
  return {
    get listeners() {
      return listeners.size;
    },
    onRunFinished: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    finish: (s, r) => {
      for (const l of listeners) l(s, r);
    },
  };
}

describe('scheduled-run notices', () => {
  it('words a failure, whatever notifyOnSuccess says', () => {
    for (const notify of [false, true]) {
      assert.deepEqual(runNotice(schedule('nightly', notify), run('failed', 'cannot reach Docker')), {
        title: 'Scheduled backup failed: nightly',
        body: 'cannot reach Docker',
        failed: true,
        schedule: 'nightly',
      });
    }
    assert.equal(runNotice(schedule('n', false), run('failed'))!.body, 'The backup did not complete.');
    assert.ok(runNotice(schedule('n', false), run('failed', 'x'.repeat(1000)))!.body.length <= 240);
  });

  it('words a success only when the schedule asks for it', () => {
    assert.equal(runNotice(schedule('nightly', false), run('succeeded', 'ok')), null);
    assert.deepEqual(runNotice(schedule('nightly', true), run('succeeded', '3 files, 1.0 MiB')), {
      title: 'Scheduled backup finished: nightly',
      body: '3 files, 1.0 MiB',
      failed: false,
      schedule: 'nightly',
    });
  });

  it('says nothing about skipped runs (overlap, missed, cancelled)', () => {
    assert.equal(runNotice(schedule('nightly', true), run('skipped', 'the previous run is still going')), null);
    assert.equal(runNotice(schedule('nightly', false), run('skipped', 'cancelled')), null);
  });

  it('truncates a long schedule name in the title', () => {
    const name = `n${'x'.repeat(63)}`;
    const notice = runNotice(schedule(name, false), run('failed', 'boom'))!;
    assert.ok(notice.title.endsWith('…'));
    assert.equal(notice.schedule, name);
  });

  it('notifies from the scheduler hook, survives a failing notifier and unsubscribes', () => {
    const scheduler = fakeScheduler();
    const notices: RunNotice[] = [];
    const stop = watchScheduledRuns(scheduler, (n) => {
      notices.push(n);
      if (n.schedule === 'broken') throw new Error('no notification daemon');
    });
    scheduler.finish(schedule('quiet', false), run('succeeded', 'ok'));
    scheduler.finish(schedule('loud', true), run('succeeded', 'ok'));
    scheduler.finish(schedule('quiet', false), run('failed', 'the store is full'));
    scheduler.finish(schedule('quiet', true), run('skipped', 'overlap'));
    assert.doesNotThrow(() => scheduler.finish(schedule('broken', false), run('failed', 'x')));
    assert.deepEqual(notices.map((n) => n.title), [
      'Scheduled backup finished: loud',
      'Scheduled backup failed: quiet',
      'Scheduled backup failed: broken',
    ]);
    stop();
    assert.equal(scheduler.listeners, 0);
  });
});
