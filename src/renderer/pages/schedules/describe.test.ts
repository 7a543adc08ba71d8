/* eslint-disable no-restricted-imports -- a test: runs in Node. */
/** How a schedule reads in the list: when it runs and what it keeps. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRetention, describeWhat, describeWhen } from './describe.ts';

describe('schedule list: how schedules read', () => {
  it('says when a schedule runs', () => {
    assert.equal(describeWhen({ kind: 'interval', every: 1, unit: 'hours' }), 'Every hour');
    assert.equal(describeWhen({ kind: 'interval', every: 15, unit: 'minutes' }), 'Every 15 minutes');
    assert.equal(describeWhen({ kind: 'daily', at: '02:00' }), 'Every day at 02:00');
    assert.equal(describeWhen({ kind: 'weekly', days: [1, 2, 3, 4, 5], at: '06:30' }), 'Weekdays at 06:30');
    assert.equal(describeWhen({ kind: 'weekly', days: [0, 6], at: '09:00' }), 'Weekends at 09:00');
    assert.equal(describeWhen({ kind: 'weekly', days: [3], at: '09:00' }), 'Wednesdays at 09:00');
    assert.equal(describeWhen({ kind: 'weekly', days: [0, 1, 5], at: '09:00' }), 'Mon, Fri and Sun at 09:00');
    assert.equal(describeWhen({ kind: 'cron', expression: '0 3 * * 1' }), 'Cron 0 3 * * 1');
  });

  it('says what a schedule keeps', () => {
    assert.equal(describeRetention({}), 'Every version');
    assert.equal(describeRetention({ last: 0 }), 'Every version');
    assert.equal(describeRetention({ last: 2 }), 'The last 2');
    assert.equal(describeRetention({ last: 3, daily: 7, monthly: 12 }), 'The last 3, 7 daily and 12 monthly');
  });

  it('names the stack of a stack schedule, else its volumes', () => {
    assert.equal(describeWhat({ volumes: [], stack: 'shop' }), 'Stack shop');
    assert.equal(describeWhat({ volumes: ['a', 'b'] }), 'a, b');
  });
});
