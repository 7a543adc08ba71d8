/* eslint-disable no-restricted-imports -- a test: runs in Node. */
/** The Volumes page's grouping, search and sort (volume-list.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { volume } from '../../../../test/renderer-harness/fixtures.ts';
import { groupVolumes } from './volume-list.ts';

describe('groupVolumes', () => {
  const list = [
    volume({ name: 'b', stack: 'shop', size: 1 }),
    volume({ name: 'loose', size: 50, usedBy: [{ name: 'Gallery', running: true }] }),
    volume({ name: 'a', stack: 'shop', size: 9 }),
    volume({ name: 'blog_data', stack: 'blog', size: null }),
  ];
  const shape = (g: ReturnType<typeof groupVolumes>) => g.map((x) => [x.stack, x.volumes.map((v) => v.name)]);

  it('stacks by name, then the volumes of no stack', () => {
    assert.deepEqual(shape(groupVolumes(list, '', 'name')), [['blog', ['blog_data']], ['shop', ['a', 'b']], [null, ['loose']]]);
  });

  it('sorts within each group; an unknown size sorts last', () => {
    assert.deepEqual(shape(groupVolumes(list, '', 'size')), [['blog', ['blog_data']], ['shop', ['a', 'b']], [null, ['loose']]]);
    assert.deepEqual(groupVolumes([list[3]!, list[1]!].map((v) => ({ ...v, stack: 'x' })), '', 'size')[0]!.volumes.map((v) => v.name), ['loose', 'blog_data']);
  });

  it('searches names, stacks and containers, in any case; empty groups go', () => {
    assert.deepEqual(shape(groupVolumes(list, 'gallery', 'name')), [[null, ['loose']]]);
    assert.deepEqual(shape(groupVolumes(list, ' SHOP ', 'name')), [['shop', ['a', 'b']]]);
    assert.deepEqual(groupVolumes(list, 'zzz', 'name'), []);
  });
});
