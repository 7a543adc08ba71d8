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
import { deriveFacts } from './derive.ts';

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
