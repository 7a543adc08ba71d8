import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { longLine, printable } from './entry-format.ts';

describe('printable', () => {
  it('leaves ordinary names alone, non-ASCII letters included', () => {
    for (const name of ['/data/file.txt', '/café/日本語 ☃', '', "it's (1) [a]~"]) assert.equal(printable(name), name);
  });

  it('escapes C0 controls, DEL and C1 controls as \\xNN, and a backslash as \\\\', () => {
    assert.equal(printable('a\nb\tc\rd\x00e'), 'a\\x0ab\\x09c\\x0dd\\x00e');
    assert.equal(printable('\x1b]0;pwned\x07'), '\\x1b]0;pwned\\x07');
    assert.equal(printable('x\x7fy\u0085z\u009b'), 'x\\x7fy\\x85z\\x9b');
    assert.equal(printable('a\\x0ab'), 'a\\\\x0ab', 'an escape typed into a name stays told apart from a real one');
    assert.equal(printable('\u00a0\u00ff'), '\u00a0\u00ff', 'printable Latin-1 is not a control');
  });

  it('is applied to names, link targets and owners in ls lines', () => {
    const row = { path: '/evil\x1b[2Jname', type: 'symlink' as const, mode: 0o777, uid: 0, gid: 0, user: 'r\noot', group: 'g', size: 0, mtime: new Date(0).toISOString(), linkTarget: 'to\rx' };
    const line = longLine(row);
    assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f]/); // eslint-disable-line no-control-regex
    assert.match(line, /r\\x0aoot\/g/);
    assert.ok(line.endsWith('/evil\\x1b[2Jname -> to\\x0dx'), line);
  });
});
