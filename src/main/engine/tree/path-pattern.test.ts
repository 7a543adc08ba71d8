import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DvomError } from '../errors.ts';
import { compilePattern } from './path-pattern.ts';

const yes = (pattern: string, ...paths: string[]) => {
  const p = compilePattern(pattern);
  for (const path of paths) assert.equal(p.matches(path), true, `'${pattern}' should match '${path}'`);
};
const no = (pattern: string, ...paths: string[]) => {
  const p = compilePattern(pattern);
  for (const path of paths) assert.equal(p.matches(path), false, `'${pattern}' should not match '${path}'`);
};

describe('path patterns (restic-style globs)', () => {
  it('* and ? stay within one name', () => {
    yes('*.log', 'a.log', 'x/y/a.log', '.log');
    no('*.log', 'a.log/x', 'a.txt', 'alog');
    yes('file?.txt', 'file1.txt', 'd/fileA.txt');
    no('file?.txt', 'file.txt', 'file10.txt');
    no('a*b', 'a/b');
  });

  it('unanchored patterns match at any depth, anchored ones only from the root', () => {
    yes('cache/tmp', 'cache/tmp', 'pgdata/cache/tmp');
    no('cache/tmp', 'cache/tmp/x', 'xcache/tmp');
    yes('/pgdata/db', 'pgdata/db');
    no('/pgdata/db', 'other/pgdata/db', 'pgdata/db/x');
    yes('/*', 'a', 'b');
    no('/*', 'a/b', '.');
  });

  it('** matches any number of names, none included', () => {
    yes('/a/**/z', 'a/z', 'a/b/z', 'a/b/c/d/z');
    no('/a/**/z', 'a/z/q', 'b/z');
    yes('/a/**', 'a', 'a/b', 'a/b/c');
    yes('**/*.tmp', 'x.tmp', 'a/b/x.tmp');
  });

  it('classes, negated classes and escapes', () => {
    yes('[ab].txt', 'a.txt', 'b.txt');
    no('[ab].txt', 'c.txt');
    yes('[!ab].txt', 'c.txt');
    no('[!ab].txt', 'a.txt');
    yes('[0-9]', '5');
    no('[0-9]', 'x');
    yes('\\*', '*');
    no('\\*', 'x');
    yes('a.b', 'a.b');
    no('a.b', 'axb');
    yes('(x)+', '(x)+');
  });

  it('a trailing slash is ignored; the root is "."', () => {
    yes('logs/', 'logs', 'x/logs');
    no('*', '.');
    yes('/', '.');
  });

  it('refuses malformed patterns with a usage error', () => {
    for (const bad of ['', 'a[', 'x\\', '../etc', '[]']) {
      assert.throws(() => compilePattern(bad), (err: unknown) => err instanceof DvomError && err.code === 'USAGE', bad);
    }
  });

  it('stays fast on patterns with many ** (no exponential backtracking)', () => {
    const p = compilePattern('/**/**/**/**/**/**/**/**/**/**/z');
    const deep = Array.from({ length: 200 }, (_, i) => `d${i}`).join('/');
    assert.equal(p.matches(deep), false);
    assert.equal(p.matches(`${deep}/z`), true);
  });
});
