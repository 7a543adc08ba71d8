/**
 * The seven schedules.* API methods through the Dispatcher (params validated
 * as from a renderer): list, save (add, replace, rename with `replaces`),
 * remove, setEnabled, pauseAll, runNow, preview (next runs, and a retention
 * policy over a real backup's versions without its password), error codes,
 * and the schedules.changed event.
 */
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiMethod, ParamsOf, ResultOf } from '../../src/shared/api/contract.ts';
import type { ApiErrorShape } from '../../src/shared/api/dto.ts';
import { createHandlers } from '../../src/main/app/api-handlers.ts';
import { Dispatcher } from '../../src/main/app/dispatcher.ts';
import { folderSource } from '../../src/main/engine/archive/folder-source.ts';
import { backup } from '../../src/main/engine/ops/backup.ts';
import { Repository } from '../../src/main/engine/repo/repository.ts';
import { createFixture, schedule, type Fixture } from './scheduler-fixture.ts';

let f: Fixture & { dir: string };
let dispatcher: Dispatcher;

async function call<M extends ApiMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
  const outcome = await dispatcher.dispatch(method, params);
  if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { code: outcome.error.code });
  return outcome.result as ResultOf<M>;
}

async function fails(method: ApiMethod, params: unknown, code: string, message?: RegExp): Promise<void> {
  const outcome = await dispatcher.dispatch(method, params);
  assert.equal(outcome.ok, false, `${method} should fail with ${code}`);
  const error = (outcome as { error: ApiErrorShape }).error;
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
}

before(async () => {
  f = await createFixture({ now: '2026-01-10T10:00:00Z', schedules: [schedule('first', { kind: 'daily', at: '02:00' })] });
  dispatcher = new Dispatcher(createHandlers(f.app));
});
after(() => f.close());

describe('schedules API', () => {
  it('list: the schedules with where they stand, and whether all are paused', async () => {
    const list = await call('schedules.list', {});
    assert.equal(list.paused, false);
    assert.equal(list.schedules.length, 1);
    const s = list.schedules[0]!;
    assert.equal(s.name, 'first');
    assert.deepEqual(s.retention, {});
    assert.equal(s.catchUp, true);
    assert.equal(s.nextRun, '2026-01-11T02:00:00.000Z');
    assert.equal(s.lastRun, null);
    assert.equal(s.running, false);
    assert.equal(s.passwordMissing, false);
  });

  it('save adds and replaces; replaces renames, keeping the history; clashes and unknown names are refused', async () => {
    const events = f.events;
    const added = await call('schedules.save', { schedule: schedule('second', { kind: 'interval', every: 2, unit: 'hours' }, { retention: { last: 3 } }) });
    assert.equal(added.name, 'second');
    assert.equal(added.nextRun, '2026-01-10T12:00:00.000Z');
    assert.ok(f.events > events, 'schedules.changed');
    const replaced = await call('schedules.save', { schedule: schedule('second', { kind: 'interval', every: 2, unit: 'hours' }, { retention: { last: 5 } }) });
    assert.deepEqual(replaced.retention, { last: 5 });
    assert.deepEqual((await call('schedules.list', {})).schedules.map((s) => s.name), ['first', 'second']);

    await call('schedules.runNow', { name: 'second' });
    await f.app.scheduler.idle();
    const renamed = await call('schedules.save', { schedule: schedule('renamed', { kind: 'interval', every: 2, unit: 'hours' }), replaces: 'second' });
    assert.equal(renamed.lastRun?.outcome, 'succeeded', 'the history moved with the rename');
    assert.deepEqual((await call('schedules.list', {})).schedules.map((s) => s.name), ['first', 'renamed']);
    assert.equal((await f.state.read()).schedules.second, undefined);

    await fails('schedules.save', { schedule: schedule('first', { kind: 'daily', at: '01:00' }), replaces: 'renamed' }, 'ALREADY_EXISTS', /'first' already exists/);
    await fails('schedules.save', { schedule: schedule('x', { kind: 'daily', at: '01:00' }), replaces: 'nope' }, 'NOT_FOUND', /no schedule named 'nope'/);
    await fails('schedules.save', { schedule: schedule('x', { kind: 'daily', at: '01:00' }, { target: 'nowhere' }) }, 'NOT_FOUND', /no storage target named 'nowhere'/);
    await fails('schedules.save', { schedule: schedule('x', { kind: 'cron', expression: '0 25 * * *' }) }, 'USAGE', /hour field '25'/);
    await fails('schedules.save', { schedule: schedule('x', { kind: 'daily', at: '25:00' }) }, 'INVALID_ARGUMENT', /schedule\.when\.at/);
    await fails('schedules.save', { schedule: { ...schedule('x', { kind: 'daily', at: '01:00' }), extra: 1 } }, 'INVALID_ARGUMENT');
  });

  it('setEnabled, remove and runNow: NOT_FOUND for unknown names', async () => {
    const off = await call('schedules.setEnabled', { name: 'first', enabled: false });
    assert.equal(off.enabled, false);
    assert.equal(off.nextRun, null);
    assert.equal((await call('schedules.setEnabled', { name: 'first', enabled: true })).nextRun, '2026-01-11T02:00:00.000Z');
    await fails('schedules.setEnabled', { name: 'nope', enabled: true }, 'NOT_FOUND', /no schedule named 'nope'/);
    await fails('schedules.remove', { name: 'nope' }, 'NOT_FOUND');
    await fails('schedules.runNow', { name: 'nope' }, 'NOT_FOUND');
    await fails('schedules.runNow', { name: '../x' }, 'INVALID_ARGUMENT');
    assert.deepEqual(await call('schedules.remove', { name: 'renamed' }), { removed: true });
    assert.deepEqual((await call('schedules.list', {})).schedules.map((s) => s.name), ['first']);
    assert.equal((await f.state.read()).schedules.renamed, undefined, 'its state went too');
  });

  it('runNow returns a backup job; pauseAll pauses and resumes', async () => {
    const { jobId } = await call('schedules.runNow', { name: 'first' });
    const job = await f.app.jobs.wait(jobId);
    assert.equal(job?.kind, 'backup');
    // Which schedule, which run (Run now at the test clock's time), which volumes and which backup.
    assert.equal(job?.title, 'Scheduled backup first (run now, 2026-01-10 10:00:00): v1 to b1 on the default store');
    await f.app.scheduler.idle();
    assert.deepEqual(await call('schedules.pauseAll', { paused: true }), { paused: true });
    const paused = await call('schedules.list', {});
    assert.equal(paused.paused, true);
    assert.equal(paused.schedules[0]!.nextRun, null);
    assert.deepEqual(await call('schedules.pauseAll', { paused: false }), { paused: false });
    assert.equal((await call('schedules.list', {})).paused, false);
  });

  it('preview: the next five runs, and what a policy would keep of a backup (no password needed)', async () => {
    const preview = await call('schedules.preview', { when: { kind: 'weekly', days: [1, 3], at: '06:30' } });
    assert.equal(preview.nextRuns.length, 5);
    assert.ok(preview.nextRuns.every((t, i) => i === 0 || t > preview.nextRuns[i - 1]!));
    assert.ok(preview.nextRuns.every((t) => /T06:30:00\.000Z$/.test(t) && [1, 3].includes(new Date(t).getUTCDay())));
    assert.equal(preview.retention, undefined);
    await fails('schedules.preview', { when: { kind: 'cron', expression: '* * * * * *' } }, 'USAGE', /needs 5/);

    // Three versions of the encrypted backup: listed and judged from their plaintext summaries.
    const src = path.join(f.dir, 'src');
    await fs.mkdir(src);
    const repo = await Repository.open(await f.app.store(), 'enc', { kind: 'password', password: 'scheduler test password' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await fs.writeFile(path.join(src, 'f.txt'), `content ${i}`);
      ids.push((await backup(repo, folderSource(src), { sourceKind: 'path', sourcePath: src })).id);
    }
    const withPolicy = await call('schedules.preview', { when: { kind: 'daily', at: '02:00' }, retention: { last: 2 }, backup: 'enc' });
    assert.deepEqual(withPolicy.retention?.keep.map((k) => [k.id, k.reasons]), [[ids[2], ['last']], [ids[1], ['last']]]);
    assert.deepEqual(withPolicy.retention?.remove.map((r) => r.id), [ids[0]]);
    // No rule above 0, an unknown backup or no backup: no retention part (nothing would be removed).
    for (const params of [
      { retention: { last: 0 }, backup: 'enc' },
      { retention: { last: 2 }, backup: 'not-there' },
      { retention: { last: 2 } },
    ]) {
      assert.equal((await call('schedules.preview', { when: { kind: 'daily', at: '02:00' }, ...params })).retention, undefined, JSON.stringify(params));
    }
  });
});
