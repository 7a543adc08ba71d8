/**
 * JobManager on its own: ids at once, progress throttled into 'job.updated'
 * events (the final state always sent), failures as {code, message},
 * cancellation, and a bounded history.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobDto } from '../../src/shared/api/dto.ts';
import type { ProgressEvent } from '../../src/shared/progress.ts';
import { EventHub } from '../../src/main/services/event-hub.ts';
import { JobManager, type JobContext } from '../../src/main/services/job-manager.ts';
import { HISTORY_LIMIT } from '../../src/main/services/job-history.ts';
import { DvomError } from '../../src/main/engine/errors.ts';

function setup(): { jobs: JobManager; events: JobDto[] } {
  const hub = new EventHub();
  const events: JobDto[] = [];
  hub.subscribe((event, payload) => {
    if (event === 'job.updated') events.push(payload as JobDto);
  });
  return { jobs: new JobManager(hub), events };
}

const progress = (bytesDone: number, phase: ProgressEvent['phase'] = 'backing-up'): ProgressEvent => ({ phase, bytesDone, filesDone: bytesDone });

/** A job body that waits until released (or aborted). */
function gate(): { release: () => void; opened: Promise<void>; ctx: Promise<JobContext>; work: (ctx: JobContext) => Promise<string> } {
  let release!: () => void;
  let gotCtx!: (ctx: JobContext) => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  const ctx = new Promise<JobContext>((resolve) => (gotCtx = resolve));
  return {
    release,
    opened,
    ctx,
    work: async (c) => {
      gotCtx(c);
      await opened;
      return 'released';
    },
  };
}

describe('JobManager', () => {
  it('returns a job id at once and publishes the running job synchronously', async () => {
    const { jobs, events } = setup();
    const g = gate();
    const id = jobs.start('backup', 'Back up x to y', g.work);
    assert.match(id, /^job-[0-9a-f]{12}$/);
    assert.equal(events.length, 1);
    const first = events[0]!;
    assert.equal(first.id, id);
    assert.equal(first.kind, 'backup');
    assert.equal(first.title, 'Back up x to y');
    assert.equal(first.state, 'running');
    assert.equal(first.finishedAt, null);
    assert.equal(first.progress, null);
    assert.equal(first.result, null);
    assert.equal(first.error, null);
    assert.ok(!Number.isNaN(Date.parse(first.startedAt)));
    assert.deepEqual(jobs.running().map((j) => j.id), [id]);
    g.release();
    assert.equal((await jobs.wait(id))!.result, 'released');
  });

  it('throttles progress: many updates give few events, and the last progress and the final state are always sent', async () => {
    const { jobs, events } = setup();
    let last: ProgressEvent | undefined;
    const id = jobs.start('backup', 'b', async ({ onProgress }) => {
      for (let i = 1; i <= 5000; i++) onProgress((last = progress(i)));
      await new Promise((resolve) => setTimeout(resolve, 300)); // past the throttle interval
      for (let i = 5001; i <= 10000; i++) onProgress((last = progress(i)));
      return 'all done';
    });
    const final = await jobs.wait(id);
    const running = events.filter((e) => e.state === 'running' && e.progress);
    assert.ok(running.length >= 1 && running.length <= 4, `expected a few progress events for 10000 updates, got ${running.length}`);
    assert.equal(running[0]!.progress!.bytesDone, 1, 'the first update is sent at once');
    const finished = events.filter((e) => e.state !== 'running');
    assert.equal(finished.length, 1);
    assert.equal(finished[0]!.state, 'succeeded');
    assert.equal(finished[0]!.result, 'all done');
    assert.deepEqual(finished[0]!.progress, last, 'the final event carries the last progress');
    assert.equal(events.at(-1), finished[0]);
    assert.ok(finished[0]!.finishedAt && Date.parse(finished[0]!.finishedAt) >= Date.parse(finished[0]!.startedAt));
    assert.deepEqual(final, finished[0]);
  });

  it("always sends a 'done' progress at once, even inside the throttle interval", async () => {
    const { jobs, events } = setup();
    const id = jobs.start('restore', 'r', async ({ onProgress }) => {
      onProgress(progress(1, 'restoring'));
      onProgress(progress(2, 'restoring')); // swallowed by the throttle
      onProgress(progress(3, 'done'));
      return 'ok';
    });
    await jobs.wait(id);
    const phases = events.filter((e) => e.state === 'running' && e.progress).map((e) => `${e.progress!.phase}:${e.progress!.bytesDone}`);
    assert.deepEqual(phases, ['restoring:1', 'done:3']);
  });

  it('events are snapshots: later changes do not alter an event already sent', async () => {
    const { jobs, events } = setup();
    const g = gate();
    const id = jobs.start('verify', 'v', g.work);
    const ctx = await g.ctx;
    ctx.onProgress(progress(10, 'verifying'));
    g.release();
    await jobs.wait(id);
    assert.equal(events[0]!.state, 'running');
    assert.equal(events[0]!.progress, null);
    assert.equal(events[1]!.progress!.bytesDone, 10);
    assert.equal(events[1]!.state, 'running');
  });

  it('a failing job ends in state failed with {code, message} and no stack', async () => {
    const { jobs, events } = setup();
    const id = jobs.start('verify', 'v', async () => {
      throw new DvomError('INTEGRITY', 'backup is damaged');
    });
    const done = await jobs.wait(id);
    assert.equal(done!.state, 'failed');
    assert.deepEqual(done!.error, { code: 'INTEGRITY', message: 'backup is damaged' });
    assert.equal(done!.result, null);
    assert.deepEqual(events.at(-1), done);

    const id2 = jobs.start('verify', 'v2', async () => {
      throw new TypeError('x is not a function');
    });
    const done2 = await jobs.wait(id2);
    assert.equal(done2!.state, 'failed');
    assert.equal(done2!.error!.code, 'INTERNAL');
    assert.match(done2!.error!.message, /x is not a function/);
    assert.doesNotMatch(done2!.error!.message, /\n\s+at |\.ts:\d+/);
    assert.deepEqual(Object.keys(done2!.error!).sort(), ['code', 'message']);
  });

  it('cancel aborts the signal and ends the job as cancelled; cancelling again or an unknown id is false', async () => {
    const { jobs, events } = setup();
    let sawAbort = false;
    const id = jobs.start('backup', 'b', ({ signal }) => {
      return new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          sawAbort = true;
          reject(new DvomError('CANCELLED', 'operation cancelled'));
        });
      });
    });
    assert.equal(jobs.cancel(id), true);
    const done = await jobs.wait(id);
    assert.ok(sawAbort);
    assert.equal(done!.state, 'cancelled');
    assert.equal(done!.error!.code, 'CANCELLED');
    assert.equal(events.at(-1)!.state, 'cancelled');
    assert.equal(jobs.cancel(id), false);
    assert.equal(jobs.cancel('job-000000000000'), false);
    assert.equal(await jobs.wait('job-000000000000'), undefined);
  });

  it('a job that fails with any error after being cancelled counts as cancelled, not failed', async () => {
    const { jobs } = setup();
    const id = jobs.start('backup', 'b', ({ signal }) => {
      return new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('socket hang up'))));
    });
    jobs.cancel(id);
    assert.equal((await jobs.wait(id))!.state, 'cancelled');
  });

  it('cannot cancel a finished job', async () => {
    const { jobs } = setup();
    const id = jobs.start('verify', 'v', async () => 'ok');
    await jobs.wait(id);
    assert.equal(jobs.cancel(id), false);
    assert.equal(jobs.list()[0]!.state, 'succeeded');
  });

  it('keeps at most HISTORY_LIMIT finished jobs (oldest dropped), newest first, and never drops running ones', async () => {
    const { jobs } = setup();
    const g = gate();
    const longRunning = jobs.start('backup', 'long', g.work);
    const ids: string[] = [];
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) ids.push(jobs.start('verify', `v${i}`, async () => `ok ${i}`));
    await Promise.all(ids.map((id) => jobs.wait(id)));
    let list = jobs.list();
    assert.equal(list.length, HISTORY_LIMIT + 1);
    assert.ok(list.some((j) => j.id === longRunning && j.state === 'running'));
    const finished = list.filter((j) => j.state !== 'running').map((j) => j.id);
    assert.deepEqual(finished, ids.slice(5).reverse(), 'the newest HISTORY_LIMIT, newest first');

    g.release();
    await jobs.wait(longRunning);
    list = jobs.list();
    assert.equal(list.length, HISTORY_LIMIT);
    assert.ok(list.every((j) => j.state === 'succeeded'));
    assert.ok(!list.some((j) => j.id === longRunning), 'the oldest job is dropped once it finished');
  });

  it('list() and wait() return copies, not the live job', async () => {
    const { jobs } = setup();
    const id = jobs.start('verify', 'v', async () => 'ok');
    const done = (await jobs.wait(id))!;
    done.state = 'failed';
    jobs.list()[0]!.title = 'changed';
    assert.equal(jobs.list()[0]!.state, 'succeeded');
    assert.equal(jobs.list()[0]!.title, 'v');
  });

  it('shutdown cancels every running job and waits for it', async () => {
    const { jobs } = setup();
    let cleanedUp = false;
    const id = jobs.start('backup', 'b', async ({ signal }) => {
      try {
        await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new DvomError('CANCELLED', 'operation cancelled'))));
        return 'never';
      } finally {
        await new Promise((resolve) => setTimeout(resolve, 20));
        cleanedUp = true;
      }
    });
    await jobs.shutdown();
    assert.ok(cleanedUp);
    assert.equal(jobs.list().find((j) => j.id === id)!.state, 'cancelled');
  });
});
