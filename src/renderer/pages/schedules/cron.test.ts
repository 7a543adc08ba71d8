/* eslint-disable no-restricted-imports -- a test: runs in Node. */
/** The editor's cron check: which expressions it accepts, and its problems in words. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cronProblem } from './cron.ts';

describe('schedule editor: cron syntax', () => {
  it('accepts standard five-field expressions', () => {
    for (const e of ['* * * * *', '30 2 * * 1-5', '*/15 * * * *', '0 0 1 jan,jul *', '0 3 * * sun', '5-55/10 8-18 * * MON-FRI', '0 0 * * 7', '0 12 1/2 * *']) {
      assert.equal(cronProblem(e), null, e);
    }
  });

  it('says which field is wrong and why', () => {
    assert.match(cronProblem('0 25 * * *')!, /hour field “25” is not valid: hour values go from 0 to 23/);
    assert.match(cronProblem('0 3 * *')!, /five fields .* this one has 4/);
    assert.match(cronProblem('@daily')!, /five fields/);
    assert.match(cronProblem('0 3 * foo *')!, /month field “foo”/);
    assert.match(cronProblem('0 3 5-1 * *')!, /low to high/);
    assert.match(cronProblem('*/0 * * * *')!, /step is 1 or more/);
    assert.match(cronProblem('1,,2 * * * *')!, /minute field “”/);
  });
});
