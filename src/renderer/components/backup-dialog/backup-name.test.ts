/* eslint-disable no-restricted-imports -- a test: runs in Node. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiParams } from '../../../shared/api/contract.ts';
import { backupNameProblem, defaultBackupName } from './backup-name.ts';

describe('backup names', () => {
  it('accepts exactly what the API accepts', () => {
    const samples = ['pgdata', 'a', 'A.b_c-9', '9lives', 'x'.repeat(128), 'x'.repeat(129), '', '-lead', '.hidden', 'has space', 'ümlaut', 'a/b', 'semi;colon'];
    for (const name of samples) {
      const api = apiParams['jobs.startBackup'].safeParse({ volumes: ['v'], backup: name, encrypt: false }).success;
      assert.equal(backupNameProblem(name) === null, api, `${JSON.stringify(name)}: ${backupNameProblem(name)}`);
    }
  });

  it('says what is wrong in words', () => {
    assert.equal(backupNameProblem(''), 'Enter a name for the backup.');
    assert.equal(backupNameProblem('-x'), 'Start the name with a letter or a digit.');
    assert.equal(backupNameProblem('my db/2'), "Use only letters, digits, '.', '_' and '-' (not spaces, “/”).");
    assert.match(backupNameProblem('x'.repeat(130))!, /130 characters long; 128 at most/);
  });

  it('defaults to the volume name, cut to 128 characters', () => {
    assert.equal(defaultBackupName('pgdata'), 'pgdata');
    assert.equal(defaultBackupName('v'.repeat(200)).length, 128);
    assert.equal(backupNameProblem(defaultBackupName(`a${'_'.repeat(254)}`)), null);
  });
});
