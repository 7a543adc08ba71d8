import { usageError } from '../engine/errors.ts';

/** Longer than any sane hook; a label is user input. */
const MAX_LENGTH = 16 * 1024;

/**
 * Splits a command line into words as a POSIX shell would, and does nothing
 * else a shell does: quotes ('…', "…") and backslashes group and escape, but
 * $, `, ;, |, &, <, >, * and the like are plain characters. The words go to
 * docker exec as they are, so a hook runs a shell only when it names one
 * (sh -c "…"). Unbalanced quotes are an error, never guessed at.
 */
export function splitCommandLine(line: string): string[] {
  if (line.length > MAX_LENGTH) throw usageError(`a hook command line is longer than ${MAX_LENGTH} characters`);
  if (line.includes('\0')) throw usageError('a hook command line contains a NUL character');
  const words: string[] = [];
  let word = '';
  /** A word was started (an empty '' or "" is a word). */
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw usageError(`unterminated ' in hook command line: ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw usageError(`unterminated " in hook command line: ${line}`);
        const c = line[i]!;
        if (c === '"') break;
        if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          // Inside double quotes a backslash escapes only these; a backslash-newline joins lines.
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw usageError(`a hook command line ends with a lone backslash: ${line}`);
      if (line[i + 1] !== '\n') {
        word += line[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  if (!words.length) throw usageError('a hook command line is empty');
  return words;
}
