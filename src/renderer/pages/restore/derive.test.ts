/* eslint-disable no-restricted-imports -- a test: runs in Node. */
/**
 * The restore wizard's facts about a target volume: whether it may hold data
 * comes from Docker's `empty` fact, not from its size (an empty file or
 * folder weighs 0 bytes, and a volume holding only those is not empty).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VolumeDto } from '../../../shared/api/dto.ts';
import { useRestoreStore } from '../../state/restore-store.ts';
import { buildRequest, deriveFacts } from './derive.ts';

const volume = (over: Partial<VolumeDto>): VolumeDto => ({ name: 'target', driver: 'local', size: 0, empty: true, usedBy: [], lastBackup: null, ...over });

function targetOf(v: VolumeDto) {
  const state = { ...useRestoreStore.getState(), targetKind: 'existing' as const, existingName: v.name };
  return deriveFacts(state, [], undefined, [v]).target;
}

describe('restore wizard: is the target empty', () => {
  it('0 bytes but entries (an empty file): may hold data, so replacing it is confirmed', () => {
    const t = targetOf(volume({ size: 0, empty: false }));
    assert.equal(t.mayHoldData, true);
    assert.equal(t.needsConfirm, true);
    assert.equal(t.contentsUnknown, false);
  });

  it('empty by Docker: nothing to confirm', () => {
    const t = targetOf(volume({ size: 0, empty: true }));
    assert.equal(t.mayHoldData, false);
    assert.equal(t.needsConfirm, false);
  });

  it('not known (Docker could not be asked): treated as holding data, and said so', () => {
    const t = targetOf(volume({ size: null, empty: null }));
    assert.equal(t.mayHoldData, true);
    assert.equal(t.contentsUnknown, true);
  });
});

describe('restore wizard: what happens to what the destination holds', () => {
  const holding = volume({ size: 10, empty: false });
  const facts = (over: Partial<ReturnType<typeof useRestoreStore.getState>>) =>
    deriveFacts({ ...useRestoreStore.getState(), targetKind: 'existing', existingName: holding.name, backup: 'b', ...over }, [], undefined, [holding]);

  it('chosen files default to keeping the rest and existing files; nothing to confirm', () => {
    const f = facts({ what: 'selected', selected: ['etc/app.conf'] });
    assert.equal(f.target.mode, 'merge');
    assert.equal(f.target.needsConfirm, false);
    assert.deepEqual(buildRequest({ ...useRestoreStore.getState(), what: 'selected', selected: ['etc/app.conf'], backup: 'b' }, f), {
      backup: 'b',
      destinationVolume: 'target',
      paths: ['etc/app.conf'],
      mode: 'merge',
      onExisting: 'skip',
      force: false,
      stopContainers: [],
    });
  });

  it('a whole version defaults to replacing, which is confirmed; the user can choose either way', () => {
    assert.equal(facts({ what: 'all' }).target.mode, 'replace');
    assert.equal(facts({ what: 'all' }).target.needsConfirm, true);
    assert.equal(facts({ what: 'all', writeMode: 'merge' }).target.needsConfirm, false);
    assert.equal(facts({ what: 'selected', writeMode: 'replace' }).target.needsConfirm, true);
  });

  it('a folder on this computer is always added to, and needs a full path', () => {
    assert.equal(facts({ targetKind: 'folder', folderPath: 'rel', writeMode: 'replace' }).target.nameError, 'Give the full path of the folder, starting with /.');
    const f = facts({ targetKind: 'folder', folderPath: '/srv/r', writeMode: 'replace' });
    assert.equal(f.target.mode, 'merge');
    assert.equal(f.target.nameError, null);
    const request = buildRequest({ ...useRestoreStore.getState(), targetKind: 'folder', folderPath: '/srv/r', backup: 'b', onExisting: 'overwrite' }, f);
    assert.equal(request.destinationDir, '/srv/r');
    assert.equal(request.destinationVolume, undefined);
    assert.equal(request.onExisting, 'overwrite');
  });
});
