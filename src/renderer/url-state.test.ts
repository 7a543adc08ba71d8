/* eslint-disable no-restricted-imports -- a test: runs in Node. */
/**
 * The address-bar form of a place in the app (issue 14, item 5): a page and
 * the open backup survive a reload because they round-trip through the hash.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPlace, parsePlace, type Place } from './url-state.ts';

test('a place round-trips through the hash, names with any characters included', () => {
  const places: Place[] = [
    { page: 'volumes', intent: {} },
    { page: 'backups', intent: { backup: 'pgdata' } },
    { page: 'backups', intent: { backup: 'pgdata', target: 'nas' } },
    { page: 'backups', intent: { backup: 'a/b?c#d e%', target: 'off site&x=1' } },
    { page: 'restore', intent: { backup: 'pgdata', version: '20310101T100000Z-aaaa', volume: 'db' } },
  ];
  for (const place of places) assert.deepEqual(parsePlace(formatPlace(place)), place, formatPlace(place));
  assert.equal(formatPlace({ page: 'backups', intent: { backup: 'pgdata', target: 'nas' } }), '#/backups/pgdata?target=nas');
});

test('an empty, unknown or broken hash names no page, or only its page', () => {
  for (const hash of ['', '#', '#/', '#/nowhere', '#backups', '#/Backups', '#/constructor', '#/__proto__']) assert.equal(parsePlace(hash), undefined, hash);
  assert.deepEqual(parsePlace('#/backups/%E0%A4%A'), { page: 'backups', intent: {} });
  assert.deepEqual(parsePlace('#/activity?unknown=1&version='), { page: 'activity', intent: {} });
});
