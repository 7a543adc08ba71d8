/** Compose labels read into stacks: depends_on parsing, start/stop order, which stack a volume belongs to. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDependsOn, startOrder, volumeProject, type StackContainer } from './compose.ts';

const c = (name: string, service: string, dependsOn: string[] = [], running = true): StackContainer => ({ name, service, dependsOn, running });

describe('Compose labels', () => {
  it('reads depends_on in Compose v2 form and in the older plain form', () => {
    assert.deepEqual(parseDependsOn('db:service_healthy:false,cache:service_started:true'), ['db', 'cache']);
    assert.deepEqual(parseDependsOn('db,cache,db'), ['db', 'cache']);
    assert.deepEqual(parseDependsOn(undefined), []);
    assert.deepEqual(parseDependsOn(''), []);
  });

  it('starts every service after those it depends on, replicas together', () => {
    const order = startOrder([c('web-1', 'web', ['app']), c('app-2', 'app', ['db']), c('app-1', 'app', ['db']), c('db-1', 'db')]);
    assert.deepEqual(order, ['db-1', 'app-1', 'app-2', 'web-1']);
  });

  it('ignores a dependency on a service with no container here, and does not hang on a cycle', () => {
    assert.deepEqual(startOrder([c('a', 'a', ['gone']), c('b', 'b', ['a'])]), ['a', 'b']);
    const cyclic = startOrder([c('x', 'x', ['y']), c('y', 'y', ['x']), c('z', 'z', ['x'])]);
    assert.deepEqual(cyclic.toSorted(), ['x', 'y', 'z']);
    assert.ok(cyclic.indexOf('z') > cyclic.indexOf('x'), 'what can be ordered still is');
  });

  it('a volume’s own project label wins; else its users’ project when they agree', () => {
    assert.equal(volumeProject({ labels: { 'com.docker.compose.project': 'shop' } }, new Set(['other'])), 'shop');
    assert.equal(volumeProject({ labels: {} }, new Set(['shop'])), 'shop');
    assert.equal(volumeProject({ labels: {} }, new Set(['shop', 'blog'])), undefined, 'shared by two stacks');
    assert.equal(volumeProject({ labels: {} }, new Set(['shop', ''])), undefined, 'also used outside any stack');
    assert.equal(volumeProject({ labels: {} }, undefined), undefined);
  });
});
