/* eslint-disable no-restricted-imports -- a test: runs in Node. */
/**
 * The schedule editor's form logic, without a browser: a draft becomes a
 * Schedule only when the shared schema and the cron check accept it, and
 * every problem is said in words at its field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changeDraft, checkDraft, draftFrom, emptyDraft, previewInput, type Draft } from './draft.ts';
import { defaultRetention } from '../../../shared/schedule.ts';

const valid = (over: Partial<Draft> = {}): Draft => ({ ...emptyDraft(), name: 'nightly', volumes: ['pgdata'], backup: 'pgdata', ...over });

describe('schedule editor: checking the form', () => {
  it('a valid form becomes the schedule to save, numbers parsed and text trimmed', () => {
    const { schedule, problems } = checkDraft(valid({ name: ' nightly ', kind: 'interval', every: '2', unit: 'hours', retention: { last: '3', hourly: '', daily: ' 7 ', weekly: '', monthly: '', yearly: '0' } }), []);
    assert.deepEqual(problems, {});
    assert.deepEqual(schedule, {
      name: 'nightly',
      volumes: ['pgdata'],
      backup: 'pgdata',
      when: { kind: 'interval', every: 2, unit: 'hours' },
      retention: { last: 3, daily: 7, yearly: 0 },
      stopContainers: [],
      enabled: true,
      catchUp: true,
      testRestoreEvery: 0,
      notifyOnSuccess: false,
      ownVersionsOnly: true,
    });
  });

  it('puts each problem at its field, in words', () => {
    const { schedule, problems } = checkDraft(
      { ...emptyDraft(), name: 'a b', volumes: [], backup: '-x', kind: 'interval', every: '0', testRestoreEvery: '1.5', retention: { ...emptyDraft().retention, weekly: 'four' } },
      [],
    );
    assert.equal(schedule, null);
    assert.equal(problems.name, 'Use only letters, digits, “.”, “_” and “-” (not spaces).');
    assert.equal(problems.volumes, 'Choose at least one volume to back up.');
    assert.equal(problems.backup, 'Start the name with a letter or a digit.');
    assert.equal(problems.every, 'At least 1.');
    assert.equal(problems.testRestoreEvery, 'Enter a whole number.');
    assert.equal(problems['retention.weekly'], 'Enter a whole number.');
  });

  it('a taken name, an empty week and a bad cron expression are problems too', () => {
    assert.match(checkDraft(valid(), ['nightly']).problems.name!, /already exists/);
    assert.equal(checkDraft(valid({ kind: 'weekly', days: [] }), []).problems.days, 'Choose at least one day.');
    assert.match(checkDraft(valid({ kind: 'cron', expression: '61 * * * *' }), []).problems.expression!, /minute field “61”/);
    assert.equal(checkDraft(valid({ kind: 'daily', at: '' }), []).problems.at, 'Enter the time of day it runs.');
  });

  it('editing keeps every setting of the saved schedule', () => {
    const saved = checkDraft(valid({ kind: 'weekly', days: [5, 1], at: '23:30', stopContainers: ['db'], notifyOnSuccess: true, testRestoreEvery: '4' }), []).schedule!;
    assert.deepEqual(checkDraft(draftFrom(saved), []).schedule, saved);
  });

  it('the preview gets the timing when it is valid, and retention only with a rule above 0', () => {
    assert.deepEqual(previewInput(valid({ kind: 'daily', at: '04:05' })), { when: { kind: 'daily', at: '04:05' }, whenProblem: null, retention: { daily: 7, weekly: 4, monthly: 6 } });
    const none = { last: '0', hourly: '', daily: '', weekly: '', monthly: '', yearly: '' };
    assert.equal(previewInput(valid({ retention: none })).retention, undefined);
    const bad = previewInput(valid({ kind: 'cron', expression: '0 3 * * 9' }));
    assert.equal(bad.when, null);
    assert.match(bad.whenProblem!, /day-of-week field “9”/);
  });
});

describe('schedule editor: keep rules follow how often it runs', () => {
  const keep = (d: Draft) => Object.fromEntries(Object.entries(d.retention).filter(([, v]) => v !== ''));

  it('an hourly schedule starts with 24 hourly versions; daily and weekly ones with their own defaults', () => {
    assert.deepEqual(keep(emptyDraft()), { daily: '7', weekly: '4', monthly: '6' });
    const hourly = changeDraft(emptyDraft(), { kind: 'interval', every: '1', unit: 'hours' });
    assert.deepEqual(keep(hourly), { hourly: '24', daily: '7', weekly: '4', monthly: '6' });
    assert.deepEqual(keep(changeDraft(hourly, { kind: 'weekly' })), { weekly: '8', monthly: '6' });
    assert.deepEqual(keep(changeDraft(hourly, { kind: 'cron', expression: '0 */4 * * *' })), { hourly: '24', daily: '7', weekly: '4', monthly: '6' });
    assert.deepEqual(keep(changeDraft(hourly, { kind: 'cron', expression: '30 3 * * *' })), { daily: '7', weekly: '4', monthly: '6' });
    assert.deepEqual(checkDraft({ ...hourly, name: 'n', volumes: ['v'], backup: 'b' }, []).schedule?.retention, defaultRetention({ kind: 'interval', every: 1, unit: 'hours' }));
  });

  it('rules the user changed stay when the timing changes', () => {
    const edited = changeDraft(emptyDraft(), { retention: { ...emptyDraft().retention, daily: '30' } });
    assert.deepEqual(keep(changeDraft(edited, { kind: 'interval', every: '1', unit: 'hours' })), { daily: '30', weekly: '4', monthly: '6' });
  });
});

describe('schedule editor: a backup the first run creates', () => {
  const fresh = { newBackup: true, passwordNeeded: true, lockedOut: false };

  it('encrypted: a password is needed and must be confirmed; the schedule says encrypt, never the password', () => {
    assert.equal(checkDraft(valid(), [], fresh).problems.password, 'Enter a password for the new backup.');
    assert.equal(checkDraft(valid({ password: 'pw', confirm: 'pv' }), [], fresh).problems.confirm, 'The passwords do not match.');
    const ok = checkDraft(valid({ password: 'pw', confirm: 'pw' }), [], fresh);
    assert.deepEqual(ok.problems, {});
    assert.equal(ok.schedule?.encrypt, true);
    assert.equal(JSON.stringify(ok.schedule).includes('pw'), false);
  });

  it('not encrypted: no password; an existing backup takes no encryption choice at all', () => {
    const plain = checkDraft(valid({ encrypt: false }), [], fresh);
    assert.deepEqual(plain.problems, {});
    assert.equal(plain.schedule?.encrypt, false);
    assert.equal(checkDraft(valid(), []).schedule?.encrypt, undefined);
  });

  it('an existing encrypted backup whose password is not remembered: refused while enabled, saved disabled', () => {
    const locked = { newBackup: false, passwordNeeded: false, lockedOut: true };
    assert.match(checkDraft(valid(), [], locked).problems.password!, /remember the password, or turn off Enabled/);
    assert.deepEqual(checkDraft(valid({ enabled: false }), [], locked).problems, {});
  });

  it('a stack schedule round-trips through the draft: the stack is kept, with no volumes and no containers to stop', () => {
    const saved = { ...checkDraft(valid({ what: 'stack', stack: 'shop', volumes: ['stale'], stopContainers: ['web'], name: 'shop-nightly', backup: 'shop-nightly' }), []).schedule! };
    assert.equal(saved.stack, 'shop');
    assert.deepEqual(saved.volumes, []);
    assert.deepEqual(saved.stopContainers, []);
    const again = checkDraft(draftFrom(saved), []);
    assert.deepEqual(again.problems, {});
    assert.deepEqual(again.schedule, saved);
    assert.equal(draftFrom(saved).what, 'stack');
    // No stack chosen yet: said at the stack field, not as a missing volume.
    const { problems } = checkDraft(valid({ what: 'stack', stack: '', volumes: [] }), []);
    assert.equal(problems.stack, 'Choose a stack to back up.');
    assert.equal(problems.volumes, undefined);
  });

  it('a very weak new password blocks the save until it is accepted', () => {
    const ctx = { newBackup: true, passwordNeeded: true, lockedOut: false, veryWeak: true };
    const weak = valid({ password: 'abc', confirm: 'abc' });
    assert.ok(checkDraft(weak, [], ctx).problems.weak);
    assert.deepEqual(checkDraft({ ...weak, weakAccepted: true }, [], ctx).problems, {});
  });
});

