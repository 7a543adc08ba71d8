import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDvomError } from '../errors.ts';
import { normalizeEntryPath } from './entry-path.ts';

const norm = (p: string) => normalizeEntryPath(Buffer.from(p), 'test').toString();

test('paths in normal form come back as they are, as a copy of their own', () => {
  for (const p of ['a', 'a/b/c', '.hidden/x', 'a/..b', '.../x', 'a/b.', 'dir/.git/HEAD']) assert.equal(norm(p), p);
  const input = Buffer.from('a/b');
  const out = normalizeEntryPath(input, 'test');
  input[0] = 0x7a;
  assert.equal(out.toString(), 'a/b', 'the result does not share the input');
});

test("empty and '.' components are dropped; nothing left is the root", () => {
  const cases: [string, string][] = [
    ['./a/b', 'a/b'],
    ['a//b', 'a/b'],
    ['a/./b/', 'a/b'],
    ['a/b/.', 'a/b'],
    ['.', '.'],
    ['./', '.'],
    ['', '.'],
  ];
  for (const [p, want] of cases) assert.equal(norm(p), want, JSON.stringify(p));
});

test("absolute paths, '..' components and NUL bytes are refused as INTEGRITY errors", () => {
  for (const p of ['/etc/passwd', '..', 'a/../b', 'a/..', '../a', 'a\0b']) {
    assert.throws(() => norm(p), (err: unknown) => isDvomError(err, 'INTEGRITY'), JSON.stringify(p));
  }
});
