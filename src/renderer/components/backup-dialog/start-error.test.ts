/* eslint-disable no-restricted-imports -- a test: runs in Node. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../shared/api/client.ts';
import { placeStartError } from './start-error.ts';

describe('placeStartError', () => {
  it('puts password errors at the password, bad params at their field, the rest above the buttons', () => {
    assert.deepEqual(placeStartError(new ApiError({ code: 'WRONG_PASSWORD', message: 'wrong password' })), { place: 'password', code: 'WRONG_PASSWORD', text: 'Wrong password.' });
    assert.equal(placeStartError(new ApiError({ code: 'PASSWORD_REQUIRED', message: 'x' })).place, 'password');
    assert.deepEqual(placeStartError(new ApiError({ code: 'INVALID_ARGUMENT', message: 'jobs.startBackup: backup: a backup name', field: 'backup', problem: 'a backup name' })), {
      place: 'name',
      code: 'INVALID_ARGUMENT',
      text: 'A backup name.',
    });
    assert.equal(placeStartError(new ApiError({ code: 'INVALID_ARGUMENT', message: 'jobs.startBackup: stopContainers.0: a container name', field: 'stopContainers.0', problem: 'a container name' })).place, 'form');
    assert.deepEqual(placeStartError(new ApiError({ code: 'USAGE', message: "backup 'x' exists and is not encrypted" })), {
      place: 'form',
      code: 'USAGE',
      text: "Backup 'x' exists and is not encrypted.",
    });
    assert.equal(placeStartError(new Error('boom')).place, 'form');
  });
});
