/**
 * The tray's live state (TrayStateSource) against the real EventHub and
 * JobManager with a fake schedules.list, and the menu actions against a fake
 * dispatcher: what tray.ts wires to Electron, minus Electron.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResultOf } from '../../src/shared/api/contract.ts';
import { EventHub } from '../../src/main/services/event-hub.ts';
import { JobManager } from '../../src/main/services/job-manager.ts';
import type { TrayAction, TrayState } from '../../src/main/desktop/tray-menu.ts';
import { TrayStateSource, callApi, performTrayAction, trayActionFailure, type DispatcherLike } from '../../src/main/desktop/tray-state.ts';
import { scheduleStatus as status } from './schedule-fixtures.ts';


/** A job that runs until released. */
function gatedJob(jobs: JobManager, title: string): { id: string; release: (fail?: boolean) => void } {
  let release!: (fail?: boolean) => void;
  const gate = new Promise<boolean>((resolve) => (release = (fail = false) => resolve(fail)));
  const id = jobs.start('backup', title, async () => {
    if (await gate) throw new Error('boom');
    return 'done';
  });
  return { id, release };
}

function harness(list: () => Promise<ResultOf<'schedules.list'>>, launchAtLogin: () => Promise<boolean | null> = async () => false) {
  const events = new EventHub();
  const jobs = new JobManager(events);
  const states: TrayState[] = [];
  let reads = 0;
  const source = new TrayStateSource({
    listSchedules: () => {
      reads++;
      return list();
    },
    runningJobs: () => jobs.running(),
    subscribe: (listener) => events.subscribe(listener),
    launchAtLogin,
    onChange: (s) => states.push(s),
    refreshMs: 60_000,
  });
  return { events, jobs, states, source, reads: () => reads };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('tray state', () => {
  it('reads schedules, pause, running jobs and launch at login', async () => {
    const h = harness(async () => ({ paused: true, schedules: [status('nightly')] }), async () => true);
    const job = gatedJob(h.jobs, 'Back up data');
    await h.source.start();
    try {
      const s = h.source.current();
      assert.deepEqual(s.schedules.map((x) => x.name), ['nightly']);
      assert.equal(s.paused, true);
      assert.equal(s.runningJobs, 1);
      assert.equal(s.launchAtLogin, true);
      assert.equal(s.schedulesError, null);
      assert.equal(s.schedulerState, null, 'no scheduler state given');
      assert.equal(h.states.length, 1);
    } finally {
      job.release();
      h.source.stop();
    }
  });

  it("includes the scheduler's overall state when given", async () => {
    let schedulerState: 'idle' | 'running' | 'failed' = 'failed';
    const source = new TrayStateSource({
      listSchedules: async () => ({ paused: false, schedules: [] }),
      runningJobs: () => [],
      subscribe: () => () => undefined,
      launchAtLogin: async () => null,
      schedulerState: () => schedulerState,
      onChange: () => undefined,
    });
    await source.refresh();
    assert.equal(source.current().schedulerState, 'failed');
    schedulerState = 'idle';
    await source.refresh();
    assert.equal(source.current().schedulerState, 'idle');
  });

  it('keeps going when schedules cannot be read, with the reason', async () => {
    const h = harness(async () => {
      throw new Error('scheduled backups are not available yet');
    }, async () => {
      throw new Error('no dbus');
    });
    await h.source.start();
    h.source.stop();
    assert.equal(h.source.current().schedulesError, 'scheduled backups are not available yet');
    assert.deepEqual(h.source.current().schedules, []);
    assert.equal(h.source.current().launchAtLogin, null);
  });

  it('re-reads on schedules.changed and when a job starts or ends, not on progress', async () => {
    const h = harness(async () => ({ paused: false, schedules: [] }));
    await h.source.start();
    try {
      const before = h.reads();
      h.events.emit('schedules.changed', {});
      await settle();
      assert.equal(h.reads(), before + 1);

      const job = gatedJob(h.jobs, 'Scheduled backup nightly');
      await settle();
      assert.equal(h.reads(), before + 2, 'job started');
      assert.equal(h.source.current().runningJobs, 1);

      // Progress of the same running job: no re-read.
      const dto = h.jobs.running()[0]!;
      for (let i = 0; i < 5; i++) h.events.emit('job.updated', { ...dto, progress: { phase: 'backing-up', bytesDone: i, filesDone: i } });
      await settle();
      assert.equal(h.reads(), before + 2);

      job.release(true);
      await h.jobs.wait(job.id);
      await settle();
      assert.equal(h.reads(), before + 3, 'job ended');
      assert.equal(h.source.current().runningJobs, 0);
    } finally {
      h.source.stop();
    }
  });

  it('never overlaps reads: requests during a read make one more read', async () => {
    let release!: () => void;
    let calls = 0;
    const h = harness(async () => {
      calls++;
      if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
      return { paused: false, schedules: [status(`v${calls}`)] };
    });
    const first = h.source.refresh();
    const others = [h.source.refresh(), h.source.refresh(), h.source.refresh()];
    await settle();
    assert.equal(calls, 1);
    release();
    await Promise.all([first, ...others]);
    assert.equal(calls, 2, 'three requests during the first read became one more read');
    assert.equal(h.source.current().schedules[0]!.name, 'v2', 'the state is the one read last');
  });

  it('stops delivering after stop(), and a throwing listener does not stop updates', async () => {
    const events = new EventHub();
    const errors: unknown[] = [];
    let calls = 0;
    const source = new TrayStateSource({
      listSchedules: async () => ({ paused: false, schedules: [] }),
      runningJobs: () => [],
      subscribe: (l) => events.subscribe(l),
      launchAtLogin: async () => null,
      onChange: () => {
        calls++;
        throw new Error('redraw failed');
      },
      onError: (err) => errors.push(err),
    });
    await source.start();
    await source.refresh();
    assert.equal(calls, 2);
    assert.equal(errors.length, 2);
    source.stop();
    events.emit('schedules.changed', {});
    await source.refresh();
    assert.equal(calls, 2);
  });
});

describe('tray actions', () => {
  function fakeDispatcher(fail?: string): DispatcherLike & { calls: [unknown, unknown][] } {
    const calls: [unknown, unknown][] = [];
    return {
      calls,
      dispatch: async (method, params) => {
        calls.push([method, params]);
        if (fail) return { ok: false, error: { code: 'CONFLICT', message: fail } };
        return { ok: true, result: method === 'schedules.runNow' ? { jobId: 'job-1' } : { paused: true } };
      },
    };
  }

  function deps(dispatcher: DispatcherLike) {
    const done: string[] = [];
    return {
      done,
      deps: {
        dispatcher,
        setLaunchAtLogin: async (enabled: boolean) => void done.push(`login:${enabled}`),
        openWindow: () => void done.push('open'),
        quit: () => void done.push('quit'),
      },
    };
  }

  it('maps each action to its API call or callback', async () => {
    const dispatcher = fakeDispatcher();
    const d = deps(dispatcher);
    await performTrayAction({ kind: 'run', schedule: 'nightly' }, d.deps);
    await performTrayAction({ kind: 'pauseAll', paused: true }, d.deps);
    await performTrayAction({ kind: 'launchAtLogin', enabled: true }, d.deps);
    await performTrayAction({ kind: 'open' }, d.deps);
    await performTrayAction({ kind: 'quit' }, d.deps);
    assert.deepEqual(dispatcher.calls, [
      ['schedules.runNow', { name: 'nightly' }],
      ['schedules.pauseAll', { paused: true }],
    ]);
    assert.deepEqual(d.done, ['login:true', 'open', 'quit']);
  });

  it('turns a refused call into an error with the API message and a title', async () => {
    const d = deps(fakeDispatcher('a backup of nightly is already running'));
    const action: TrayAction = { kind: 'run', schedule: 'nightly' };
    await assert.rejects(performTrayAction(action, d.deps), { message: 'a backup of nightly is already running' });
    assert.equal(trayActionFailure(action), 'Could not start the backup: nightly');
    assert.equal(trayActionFailure({ kind: 'pauseAll', paused: false }), 'Could not resume the schedules');
    assert.equal(trayActionFailure({ kind: 'launchAtLogin', enabled: true }), 'Could not turn on launch at login');
  });

  it('callApi returns the result of a successful call', async () => {
    assert.deepEqual(await callApi(fakeDispatcher(), 'schedules.runNow', { name: 'x' }), { jobId: 'job-1' });
  });
});
