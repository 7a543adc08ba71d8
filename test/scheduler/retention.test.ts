/**
 * Retention as a schedule applies it, on synthetic histories made by the
 * schedules themselves (their run times), in local time (Europe/Berlin), as
 * restic's forget does: each rule keeps the newest version of each of its N
 * most recent periods, counting periods a version already kept by another
 * rule; a version is kept if any rule keeps it. Rule-by-rule checks of the
 * engine are in test/engine/maintenance.test.ts; these are about schedules:
 * applying the policy after every run, local-time periods across midnight
 * and DST, and policies that remove nothing.
 */
process.env.TZ = 'Europe/Berlin'; // before any Date is made

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Retention, ScheduleWhen } from '../../src/shared/schedule.ts';
import { applyRetention } from '../../src/main/engine/ops/retention.ts';
import { nextRunAfter } from '../../src/main/scheduler/next-run.ts';
import { hasRetention } from '../../src/main/services/scheduled-backup.ts';

interface Fake {
  id: string;
  createdAt: string;
}

/** The versions a schedule makes from `from` up to and including `to` (one per run time; an interval starts at `from`). */
function history(when: ScheduleWhen, from: string, to: string): Fake[] {
  const out: Fake[] = [];
  const end = new Date(to);
  const first = when.kind === 'interval' ? new Date(from) : nextRunAfter(when, new Date(new Date(from).getTime() - 1));
  for (let t = first; t <= end; t = nextRunAfter(when, t)) {
    out.push({ id: `v${String(out.length).padStart(5, '0')}`, createdAt: t.toISOString() });
  }
  return out;
}

/** Applies the policy after every run, as the scheduler does: the survivors after the last run. */
function afterEveryRun(versions: Fake[], policy: Retention): Fake[] {
  let kept: Fake[] = [];
  for (const v of versions) kept = applyRetention([...kept, v], policy).keep.map((k) => k.version);
  return kept;
}

const local = (iso: string) => {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())} +${p(-d.getTimezoneOffset() / 60)}`;
};
const keptTimes = (versions: Fake[], policy: Retention) => applyRetention(versions, policy).keep.map((k) => local(k.version.createdAt));

describe('retention of scheduled backups', () => {
  it('an hourly schedule over 100 days, with a typical policy: exactly the expected versions', () => {
    // Hourly from Jan 1 to Apr 10 2026 (a Friday), across the spring-forward night.
    const versions = history({ kind: 'cron', expression: '0 * * * *' }, '2026-01-01T00:00:00+01:00', '2026-04-10T23:00:00+02:00');
    assert.equal(versions.length, 100 * 24 - 1, 'the hour that does not exist (Mar 29 02:00) made no version of its own');
    const policy = { hourly: 24, daily: 7, weekly: 4, monthly: 3 };
    const kept = keptTimes(versions, policy);
    const expected = [
      // hourly: the last 24 hours (all of Apr 10).
      ...Array.from({ length: 24 }, (_, i) => `04-10 ${String(23 - i).padStart(2, '0')}:00 +02`),
      // daily: the newest of the 7 most recent days (Apr 10 counted above).
      ...['09', '08', '07', '06', '05', '04'].map((d) => `04-${d} 23:00 +02`),
      // weekly (ISO weeks): W15 Apr 10, W14 Apr 5 (both already kept), W13 Mar 29, W12 Mar 22; monthly: Apr, Mar 31, Feb 28.
      '03-31 23:00 +02',
      '03-29 23:00 +02',
      '03-22 23:00 +01',
      '02-28 23:00 +01',
    ];
    assert.deepEqual(kept, expected);
    const decision = applyRetention(versions, policy);
    assert.deepEqual(decision.keep.find((k) => local(k.version.createdAt) === '04-10 23:00 +02')?.reasons, ['hourly', 'daily', 'weekly', 'monthly']);
    assert.deepEqual(decision.keep.find((k) => local(k.version.createdAt) === '04-05 23:00 +02')?.reasons, ['daily', 'weekly']);
    assert.equal(decision.keep.length + decision.remove.length, versions.length);
  });

  it('applying the policy after every run leaves the same versions as applying it once', () => {
    const cases: [ScheduleWhen, string, string, Retention][] = [
      [{ kind: 'interval', every: 6, unit: 'hours' }, '2025-11-01T00:00:00Z', '2026-05-01T00:00:00Z', { last: 3, daily: 10, weekly: 5, monthly: 4, yearly: 2 }],
      [{ kind: 'weekly', days: [1, 4], at: '02:30' }, '2024-01-01T00:00:00Z', '2026-06-30T00:00:00Z', { weekly: 8, monthly: 12, yearly: 3 }],
      [{ kind: 'cron', expression: '*/20 8-18 * * 1-5' }, '2026-03-20T00:00:00Z', '2026-04-05T00:00:00Z', { last: 5, hourly: 30, daily: 4 }],
    ];
    for (const [when, from, to, policy] of cases) {
      const versions = history(when, from, to);
      const once = applyRetention(versions, policy).keep.map((k) => k.version.id).sort();
      assert.deepEqual(afterEveryRun(versions, policy).map((v) => v.id).sort(), once, JSON.stringify(when));
    }
  });

  it('keep-last 2 after each of five runs keeps the two newest', () => {
    const versions = history({ kind: 'interval', every: 1, unit: 'minutes' }, '2026-01-10T10:00:00Z', '2026-01-10T10:04:00Z');
    assert.deepEqual(afterEveryRun(versions, { last: 2 }).map((v) => v.id), ['v00004', 'v00003']);
  });

  it('days are local days: runs at 00:30 and 23:30 belong to the local date, not the UTC one', () => {
    // 00:30 in Berlin is 23:30 UTC of the day before; 23:30 is 22:30 UTC.
    const versions = history({ kind: 'cron', expression: '30 0,23 * * *' }, '2026-01-07T00:00:00+01:00', '2026-01-10T23:59:00+01:00');
    assert.deepEqual(keptTimes(versions, { daily: 2 }), ['01-10 23:30 +01', '01-09 23:30 +01']);
  });

  it('the hour repeated when clocks go back is one local hour', () => {
    // Every 30 minutes (elapsed) through the night of Oct 25: 02:00 and 02:30 happen twice.
    const versions = history({ kind: 'interval', every: 30, unit: 'minutes' }, '2026-10-25T01:30:00+02:00', '2026-10-25T03:30:00+01:00');
    assert.deepEqual(versions.map((v) => local(v.createdAt)), [
      '10-25 01:30 +02',
      '10-25 02:00 +02',
      '10-25 02:30 +02',
      '10-25 02:00 +01',
      '10-25 02:30 +01',
      '10-25 03:00 +01',
      '10-25 03:30 +01',
    ]);
    assert.deepEqual(keptTimes(versions, { hourly: 3 }), ['10-25 03:30 +01', '10-25 02:30 +01', '10-25 01:30 +02']);
  });

  it('a daily run moved by spring forward (02:30 ran at 03:00) still counts for its day', () => {
    const versions = history({ kind: 'daily', at: '02:30' }, '2026-03-27T00:00:00+01:00', '2026-03-30T12:00:00+02:00');
    assert.deepEqual(keptTimes(versions, { daily: 3 }), ['03-30 02:30 +02', '03-29 03:00 +02', '03-28 02:30 +01']);
  });

  it('a schedule whose rules are all 0 (or none) applies no retention: nothing is removed', () => {
    assert.equal(hasRetention({}), false);
    assert.equal(hasRetention({ last: 0, daily: 0 }), false);
    assert.equal(hasRetention({ yearly: 1 }), true);
    // The engine refuses such a policy outright; the schedule does not ask it.
    assert.throws(() => applyRetention([{ id: 'a', createdAt: '2026-01-01T00:00:00Z' }], { last: 0 }), /at least one/);
  });
});
