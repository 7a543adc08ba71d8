/**
 * When schedules run, in local time (Europe/Berlin here: CET/CEST, clocks go
 * forward on 2026-03-29 02:00→03:00 and back on 2026-10-25 03:00→02:00):
 * intervals, daily, weekly, cron (lists, ranges, steps, names, the
 * day-of-month/day-of-week OR rule, month ends, Feb 29, invalid expressions),
 * and daylight-saving changes.
 */
process.env.TZ = 'Europe/Berlin'; // before any Date is made

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScheduleWhen } from '../../src/shared/schedule.ts';
import { parseCron } from '../../src/main/scheduler/cron.ts';
import { latestRunTime, nextRunAfter, nextRuns, validateWhen } from '../../src/main/scheduler/next-run.ts';

/** Local wall time as 'YYYY-MM-DD HH:MM +HH' (offset from UTC in hours), for readable expectations. */
function local(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset() / 60;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())} +${p(offset)}`;
}

/** A local time in Berlin, '2026-03-04 05:06' (the first occurrence if repeated). */
const at = (text: string) => new Date(text.replace(' ', 'T'));

const cron = (expression: string): ScheduleWhen => ({ kind: 'cron', expression });
const runs = (when: ScheduleWhen, from: string, n: number) => nextRuns(when, at(from), n).map(local);

describe('intervals', () => {
  it('count elapsed time from the previous run', () => {
    assert.equal(local(nextRunAfter({ kind: 'interval', every: 15, unit: 'minutes' }, at('2026-01-10 10:07'))), '2026-01-10 10:22 +01');
    assert.deepEqual(runs({ kind: 'interval', every: 2, unit: 'hours' }, '2026-01-10 23:30', 3), [
      '2026-01-11 01:30 +01',
      '2026-01-11 03:30 +01',
      '2026-01-11 05:30 +01',
    ]);
  });

  it('are not stretched or shrunk by daylight-saving changes', () => {
    const hourly: ScheduleWhen = { kind: 'interval', every: 1, unit: 'hours' };
    const spring = nextRuns(hourly, at('2026-03-29 00:30'), 3);
    assert.deepEqual(spring.map(local), ['2026-03-29 01:30 +01', '2026-03-29 03:30 +02', '2026-03-29 04:30 +02']);
    const fall = nextRuns(hourly, at('2026-10-25 01:30'), 3);
    assert.deepEqual(fall.map(local), ['2026-10-25 02:30 +02', '2026-10-25 02:30 +01', '2026-10-25 03:30 +01']);
    for (const list of [spring, fall]) {
      for (let i = 1; i < list.length; i++) assert.equal(list[i]!.getTime() - list[i - 1]!.getTime(), 3_600_000);
    }
  });
});

describe('daily and weekly', () => {
  it('daily: later today, else tomorrow; never at the very time given', () => {
    const daily: ScheduleWhen = { kind: 'daily', at: '02:30' };
    assert.equal(local(nextRunAfter(daily, at('2026-01-10 01:00'))), '2026-01-10 02:30 +01');
    assert.equal(local(nextRunAfter(daily, at('2026-01-10 02:30'))), '2026-01-11 02:30 +01');
    assert.equal(local(nextRunAfter(daily, at('2026-01-10 23:59'))), '2026-01-11 02:30 +01');
    assert.equal(local(nextRunAfter({ kind: 'daily', at: '00:00' }, at('2026-12-31 12:00'))), '2027-01-01 00:00 +01');
  });

  it('weekly: only the chosen days (0 = Sunday)', () => {
    // 2026-01-07 is a Wednesday.
    assert.deepEqual(runs({ kind: 'weekly', days: [1, 4], at: '07:00' }, '2026-01-07 12:00', 4), [
      '2026-01-08 07:00 +01',
      '2026-01-12 07:00 +01',
      '2026-01-15 07:00 +01',
      '2026-01-19 07:00 +01',
    ]);
    assert.deepEqual(runs({ kind: 'weekly', days: [0], at: '23:15' }, '2026-01-11 23:15', 2), ['2026-01-18 23:15 +01', '2026-01-25 23:15 +01']);
    assert.equal(local(nextRunAfter({ kind: 'weekly', days: [3], at: '13:00' }, at('2026-01-07 12:59'))), '2026-01-07 13:00 +01');
  });
});

describe('cron', () => {
  it('lists, ranges and steps', () => {
    assert.deepEqual(runs(cron('0,30 9,17 * * *'), '2026-01-10 09:10', 4), [
      '2026-01-10 09:30 +01',
      '2026-01-10 17:00 +01',
      '2026-01-10 17:30 +01',
      '2026-01-11 09:00 +01',
    ]);
    assert.deepEqual(runs(cron('0 9-11 * * *'), '2026-01-10 10:00', 3), ['2026-01-10 11:00 +01', '2026-01-11 09:00 +01', '2026-01-11 10:00 +01']);
    assert.deepEqual(runs(cron('*/20 * * * *'), '2026-01-10 10:05', 3), ['2026-01-10 10:20 +01', '2026-01-10 10:40 +01', '2026-01-10 11:00 +01']);
    assert.deepEqual(runs(cron('5-50/15 */6 * * *'), '2026-01-10 06:20', 4), [
      '2026-01-10 06:35 +01',
      '2026-01-10 06:50 +01',
      '2026-01-10 12:05 +01',
      '2026-01-10 12:20 +01',
    ]);
    assert.deepEqual(runs(cron('15/20 3 * * *'), '2026-01-10 00:00', 3), ['2026-01-10 03:15 +01', '2026-01-10 03:35 +01', '2026-01-10 03:55 +01']);
  });

  it('month and day names, and 7 as Sunday', () => {
    // Weekdays of January and July only.
    assert.deepEqual(runs(cron('0 8 * jan,JUL mon-fri'), '2026-01-30 09:00', 2), ['2026-07-01 08:00 +02', '2026-07-02 08:00 +02']);
    assert.deepEqual(runs(cron('0 12 * * 7'), '2026-01-07 00:00', 1), ['2026-01-11 12:00 +01']);
    assert.deepEqual(runs(cron('0 12 * * sun'), '2026-01-07 00:00', 1), ['2026-01-11 12:00 +01']);
    assert.deepEqual(runs(cron('0 12 * * 5-7'), '2026-01-07 00:00', 3), ['2026-01-09 12:00 +01', '2026-01-10 12:00 +01', '2026-01-11 12:00 +01']);
  });

  it('day-of-month and day-of-week: either when both are restricted, both when one is *', () => {
    // The 13th OR any Friday (2026-02-13 is both; 2026-03-13 is a Friday too).
    assert.deepEqual(runs(cron('0 0 13 * 5'), '2026-02-01 12:00', 4), [
      '2026-02-06 00:00 +01',
      '2026-02-13 00:00 +01',
      '2026-02-20 00:00 +01',
      '2026-02-27 00:00 +01',
    ]);
    assert.deepEqual(runs(cron('0 0 1-3 * mon'), '2026-05-31 12:00', 4), [
      '2026-06-01 00:00 +02',
      '2026-06-02 00:00 +02',
      '2026-06-03 00:00 +02',
      '2026-06-08 00:00 +02',
    ]);
    // Day-of-month '*/2' starts with '*': no OR, so odd days that are Mondays only.
    assert.deepEqual(runs(cron('0 0 */2 * 1'), '2026-06-01 12:00', 2), ['2026-06-15 00:00 +02', '2026-06-29 00:00 +02']);
    // Day-of-week '*': day-of-month alone decides.
    assert.deepEqual(runs(cron('0 0 13 * *'), '2026-02-01 12:00', 2), ['2026-02-13 00:00 +01', '2026-03-13 00:00 +01']);
  });

  it('month ends: the 31st skips months without one; the 30th skips February', () => {
    assert.deepEqual(runs(cron('0 0 31 * *'), '2026-01-01 00:00', 4), [
      '2026-01-31 00:00 +01',
      '2026-03-31 00:00 +02',
      '2026-05-31 00:00 +02',
      '2026-07-31 00:00 +02',
    ]);
    assert.deepEqual(runs(cron('0 0 30 * *'), '2026-01-30 00:00', 2), ['2026-03-30 00:00 +02', '2026-04-30 00:00 +02']);
  });

  it('Feb 29 only in leap years (2100 is none)', () => {
    assert.deepEqual(runs(cron('0 12 29 2 *'), '2026-03-01 00:00', 2), ['2028-02-29 12:00 +01', '2032-02-29 12:00 +01']);
    assert.equal(local(nextRunAfter(cron('0 12 29 2 *'), at('2096-03-01 00:00'))), '2104-02-29 12:00 +01');
  });

  it('invalid expressions are refused, naming the field', () => {
    const cases: [string, RegExp][] = [
      ['* * * *', /4 field\(s\); it needs 5/],
      ['* * * * * *', /6 field\(s\)/],
      ['60 * * * *', /minute field '60': 60 is out of range 0-59/],
      ['0 24 * * *', /hour field '24': 24 is out of range 0-23/],
      ['0 0 0 * *', /day-of-month field '0': 0 is out of range 1-31/],
      ['0 0 32 * *', /day-of-month field '32'/],
      ['0 0 * 13 *', /month field '13': 13 is out of range 1-12/],
      ['0 0 * * 8', /day-of-week field '8': 8 is out of range 0-7/],
      ['0 0 * foo *', /month field 'foo': 'foo' is not a number or a name \(jan…dec\)/],
      ['0 0 * * funday', /day-of-week field 'funday'/],
      ['*/0 * * * *', /minute field '\*\/0': step '0' must be a whole number ≥ 1/],
      ['0 5-1 * * *', /hour field '5-1': range 5-1 runs backwards/],
      ['1,,2 * * * *', /minute field '1,,2': empty list item/],
      ['0 0 1-2-3 * *', /day-of-month field '1-2-3'/],
      ['0 0 */2/3 * *', /more than one '\/'/],
      ['0 0 30 2 *', /day-of-month field '30' never falls in the months of month field '2'/],
      ['0 0 31 apr,jun *', /never falls in the months/],
    ];
    for (const [expression, message] of cases) {
      assert.throws(() => parseCron(expression), (e: unknown) => (e as { code?: string }).code === 'USAGE' && message.test((e as Error).message), expression);
      assert.throws(() => validateWhen(cron(expression)), message, expression);
    }
    // With day-of-week restricted too, the OR rule makes '30 2' fine: Mondays.
    assert.doesNotThrow(() => parseCron('0 0 30 2 mon'));
  });
});

describe('daylight saving time', () => {
  it('spring forward: a time that does not exist runs when the clocks jump (03:00), once', () => {
    const daily: ScheduleWhen = { kind: 'daily', at: '02:30' };
    assert.deepEqual(runs(daily, '2026-03-28 12:00', 3), ['2026-03-29 03:00 +02', '2026-03-30 02:30 +02', '2026-03-31 02:30 +02']);
    assert.deepEqual(runs(cron('30 2 * * *'), '2026-03-28 12:00', 2), ['2026-03-29 03:00 +02', '2026-03-30 02:30 +02']);
    // Four run times inside the missing hour collapse into one run at 03:00.
    assert.deepEqual(runs(cron('*/15 2 * * *'), '2026-03-29 01:00', 2), ['2026-03-29 03:00 +02', '2026-03-30 02:00 +02']);
    // 03:00 itself and a gap time share that one run.
    assert.deepEqual(runs(cron('30 2,3 * * *'), '2026-03-29 01:00', 3), ['2026-03-29 03:00 +02', '2026-03-29 03:30 +02', '2026-03-30 02:30 +02']);
    assert.deepEqual(runs({ kind: 'weekly', days: [0], at: '02:00' }, '2026-03-22 12:00', 2), ['2026-03-29 03:00 +02', '2026-04-05 02:00 +02']);
  });

  it('fall back: a time that occurs twice runs once, at its first occurrence', () => {
    const daily: ScheduleWhen = { kind: 'daily', at: '02:30' };
    const list = nextRuns(daily, at('2026-10-24 12:00'), 3);
    assert.deepEqual(list.map(local), ['2026-10-25 02:30 +02', '2026-10-26 02:30 +01', '2026-10-27 02:30 +01']);
    // From the second 02:30 (CET, one hour after the first), the next run is the next day.
    const second = new Date(list[0]!.getTime() + 3_600_000);
    assert.equal(local(second), '2026-10-25 02:30 +01');
    assert.equal(local(nextRunAfter(daily, second)), '2026-10-26 02:30 +01');
    // Hourly cron: each wall-clock hour once; the repeated 02:00 does not run twice.
    assert.deepEqual(runs(cron('0 * * * *'), '2026-10-25 00:30', 4), [
      '2026-10-25 01:00 +02',
      '2026-10-25 02:00 +02',
      '2026-10-25 03:00 +01',
      '2026-10-25 04:00 +01',
    ]);
  });
});

describe('missed run times collapse into the latest one', () => {
  it('after a gap of days, for calendar schedules and intervals', () => {
    const daily: ScheduleWhen = { kind: 'daily', at: '02:00' };
    const first = nextRunAfter(daily, at('2026-01-07 02:00'));
    assert.equal(local(latestRunTime(daily, first, at('2026-01-10 09:00'))), '2026-01-10 02:00 +01');
    assert.equal(local(latestRunTime(daily, first, at('2026-01-08 02:00'))), '2026-01-08 02:00 +01');
    const every10: ScheduleWhen = { kind: 'interval', every: 10, unit: 'minutes' };
    // The grid of the interval is kept: 10:00 + k·10 min.
    assert.equal(local(latestRunTime(every10, at('2026-01-07 10:00'), at('2026-01-10 09:07'))), '2026-01-10 09:00 +01');
    const minutely = cron('* * * * *');
    assert.equal(local(latestRunTime(minutely, at('2025-01-01 00:00'), at('2026-01-10 09:07'))), '2026-01-10 09:07 +01');
  });
});
