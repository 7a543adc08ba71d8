/* eslint-disable no-restricted-imports -- this file is a Node test of the form's plain logic. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TargetDto } from '../../../shared/api/dto.ts';
import { emptyForm, formFromTarget, inputFromTarget, toTargetInput, validateForm, type TargetForm } from './target-form.ts';

const adding = { editing: null, existingNames: ['nas'] };
const s3Saved: TargetDto = {
  name: 'offsite',
  type: 's3',
  location: 's3://backups/ at https://s3.example.com',
  isDefault: false,
  settings: { bucket: 'backups', endpoint: 'https://s3.example.com', accessKeyId: 'AKIA1', hasSecret: true },
};
const s3Form = (patch: Partial<TargetForm>): TargetForm => ({ ...emptyForm(), name: 'offsite', kind: 's3', bucket: 'backups', ...patch });

describe('the target form', () => {
  it('checks names as the API does, and refuses to add over an existing target', () => {
    assert.match(validateForm({ ...emptyForm(), path: '/x' }, adding).name ?? '', /Enter a name/);
    assert.match(validateForm({ ...emptyForm(), name: '-x', path: '/x' }, adding).name ?? '', /starting with a letter or digit/);
    assert.match(validateForm({ ...emptyForm(), name: 'a'.repeat(65), path: '/x' }, adding).name ?? '', /up to 64/);
    assert.match(validateForm({ ...emptyForm(), name: 'nas', path: '/x' }, adding).name ?? '', /already exists/);
    assert.deepEqual(validateForm({ ...emptyForm(), name: 'usb.disk_2', path: '/media/usb' }, adding), {});
    assert.deepEqual(validateForm({ ...emptyForm(), name: 'w', path: 'D:\\backups' }, adding), {});
  });

  it('wants a full folder path for a local target', () => {
    assert.match(validateForm({ ...emptyForm(), name: 'a' }, adding).path ?? '', /Enter the folder/);
    assert.match(validateForm({ ...emptyForm(), name: 'a', path: 'backups' }, adding).path ?? '', /full path/);
    assert.deepEqual(toTargetInput({ ...emptyForm(), name: 'a', path: '  /srv/dvom ' }), { type: 'local', path: '/srv/dvom' });
  });

  it('checks S3 fields in words', () => {
    const errors = validateForm(s3Form({ bucket: 'ab', endpoint: 'ftp://x', region: 'us east', prefix: 'a b', secretAccessKey: 's' }), adding);
    assert.match(errors.bucket ?? '', /3–63 lower-case/);
    assert.match(errors.endpoint ?? '', /https:\/\/ or http:\/\//);
    assert.match(errors.region ?? '', /us-east-1/);
    assert.match(errors.prefix ?? '', /Use only letters/);
    assert.match(errors.accessKeyId ?? '', /access key that goes with the secret key/);
    assert.match(validateForm(s3Form({ accessKeyId: 'AKIA' }), adding).secretAccessKey ?? '', /Enter the secret key that goes with the access key/);
    assert.deepEqual(validateForm(s3Form({}), adding), {}, 'no keys: the environment’s credentials');
  });

  it('path-style follows the endpoint until chosen', () => {
    assert.equal((toTargetInput(s3Form({})) as { pathStyle?: boolean }).pathStyle, false);
    assert.equal((toTargetInput(s3Form({ endpoint: 'http://127.0.0.1:7480' })) as { pathStyle?: boolean }).pathStyle, true);
    assert.equal((toTargetInput(s3Form({ endpoint: 'http://127.0.0.1:7480', pathStyle: false })) as { pathStyle?: boolean }).pathStyle, false);
  });

  it('editing keeps the stored secret key when left empty, unless the access key changes', () => {
    const editing = { editing: s3Saved, existingNames: ['offsite'] };
    const form = formFromTarget(s3Saved);
    assert.equal(form.secretAccessKey, '');
    assert.deepEqual(validateForm(form, editing), {});
    assert.deepEqual(toTargetInput(form), { type: 's3', bucket: 'backups', endpoint: 'https://s3.example.com', pathStyle: true, accessKeyId: 'AKIA1' });
    assert.match(validateForm({ ...form, accessKeyId: 'AKIA2' }, editing).secretAccessKey ?? '', /new access key/);
    assert.deepEqual(validateForm({ ...form, accessKeyId: 'AKIA2', secretAccessKey: 'new' }, editing), {});
    assert.equal((toTargetInput({ ...form, secretAccessKey: ' new ' }) as { secretAccessKey?: string }).secretAccessKey, 'new');
  });

  it('saves a target again unchanged for Make default, without any secret', () => {
    assert.deepEqual(inputFromTarget(s3Saved), { type: 's3', bucket: 'backups', endpoint: 'https://s3.example.com', accessKeyId: 'AKIA1' });
    assert.deepEqual(inputFromTarget({ name: 'n', type: 'local', location: '/m', isDefault: false, settings: { path: '/m' } }), { type: 'local', path: '/m' });
    assert.equal(inputFromTarget({ name: 'n', type: 'local', location: '/m', isDefault: false, settings: {} }), null);
  });

  it('keeps append-only mode (set with the CLI) when a target is edited or made the default', () => {
    const objectLock = { days: 30, mode: 'compliance' as const };
    const locked: TargetDto = { ...s3Saved, settings: { ...s3Saved.settings, objectLock } };
    assert.deepEqual((toTargetInput(formFromTarget(locked)) as { objectLock?: unknown }).objectLock, objectLock);
    assert.deepEqual((inputFromTarget(locked) as { objectLock?: unknown }).objectLock, objectLock);
  });
});
