/**
 * Hook command lines (labels dvom.backup.pre/.post) are split as a shell
 * splits words and nothing more: no expansion, no operators, no globbing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DvomError } from '../engine/errors.ts';
import { splitCommandLine } from './command-line.ts';

const usage = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof DvomError && err.code === 'USAGE' && re.test(err.message));

describe('splitCommandLine', () => {
  it('splits on runs of blanks, tabs and newlines', () => {
    assert.deepEqual(splitCommandLine('  redis-cli   BGSAVE\t'), ['redis-cli', 'BGSAVE']);
    assert.deepEqual(splitCommandLine('a\nb\r\nc'), ['a', 'b', 'c']);
  });

  it('keeps quoted text together, single quotes literally', () => {
    assert.deepEqual(splitCommandLine(`sh -c 'pg_dumpall -U "$POSTGRES_USER" > /var/lib/postgresql/data/dump.sql'`), [
      'sh',
      '-c',
      'pg_dumpall -U "$POSTGRES_USER" > /var/lib/postgresql/data/dump.sql',
    ]);
    assert.deepEqual(splitCommandLine(`psql -c "CHECKPOINT"`), ['psql', '-c', 'CHECKPOINT']);
    assert.deepEqual(splitCommandLine(`a'b c'd"e f"g`), ['ab cde fg'], 'quotes join with the text around them');
  });

  it('empty quotes are an empty word', () => {
    assert.deepEqual(splitCommandLine(`cmd '' ""`), ['cmd', '', '']);
  });

  it('backslashes escape outside quotes; inside double quotes only " \\ $ ` and newline', () => {
    assert.deepEqual(splitCommandLine('a\\ b c\\"d'), ['a b', 'c"d']);
    assert.deepEqual(splitCommandLine('"x\\"y" "\\$HOME" "a\\nb" "\\\\"'), ['x"y', '$HOME', 'a\\nb', '\\']);
    assert.deepEqual(splitCommandLine("'no \\escape'"), ['no \\escape']);
    assert.deepEqual(splitCommandLine('one \\\ntwo'), ['one', 'two'], 'a backslash-newline joins lines');
  });

  it('gives shell syntax no meaning: operators, substitutions and globs stay words', () => {
    assert.deepEqual(splitCommandLine('echo $(touch /pwned); rm -rf / && reboot | cat > /etc/passwd *'), [
      'echo',
      '$(touch',
      '/pwned);',
      'rm',
      '-rf',
      '/',
      '&&',
      'reboot',
      '|',
      'cat',
      '>',
      '/etc/passwd',
      '*',
    ]);
    assert.deepEqual(splitCommandLine('echo `id` ${PATH} ~ $HOME'), ['echo', '`id`', '${PATH}', '~', '$HOME']);
  });

  it('refuses what it cannot split exactly', () => {
    usage(() => splitCommandLine(`sh -c 'unterminated`), /unterminated '/);
    usage(() => splitCommandLine(`sh -c "unterminated`), /unterminated "/);
    usage(() => splitCommandLine(`sh -c "ends in escape\\"`), /unterminated "/);
    usage(() => splitCommandLine('trailing \\'), /lone backslash/);
    usage(() => splitCommandLine('   '), /empty/);
    usage(() => splitCommandLine(''), /empty/);
    usage(() => splitCommandLine('a\0b'), /NUL/);
    usage(() => splitCommandLine('x'.repeat(16 * 1024 + 1)), /longer/);
  });
});
