import { usageError } from '../errors.ts';

/**
 * Glob patterns over entry paths, one matcher for every command that takes
 * them (restore --include/--exclude, backup --exclude, find). Semantics as in
 * restic:
 * - `*` any run of characters within one name, `?` one character, `[a-z]` /
 *   `[!a-z]` a class, `\` escapes the next character;
 * - a `**` component matches any number of names (none included);
 * - a pattern starting with `/` is anchored at the root of the version (a
 *   volume backup's root holds one folder per volume); any other pattern may
 *   match at any depth: `*.log` is every .log file, `cache/tmp` every tmp
 *   inside a folder named cache;
 * - a trailing `/` is ignored.
 * Paths are normalized entry paths ('a/b/c', the root '.').
 */
export interface PathPattern {
  readonly source: string;
  /** True if the pattern matches this path itself. */
  matches(path: string): boolean;
}

type Part = { kind: 'any' } | { kind: 'name'; re: RegExp };

const MAX_PATTERN = 4096;

export function compilePattern(source: string): PathPattern {
  if (!source || source.length > MAX_PATTERN) throw usageError(`invalid pattern '${source.slice(0, 80)}': empty or too long`);
  if (source.includes('\0')) throw usageError('a pattern must not contain a NUL byte');
  const anchored = source.startsWith('/');
  const names = source.split('/').filter((p) => p !== '' && p !== '.');
  if (names.some((n) => n === '..')) throw usageError(`invalid pattern '${source}': '..' is not allowed`);
  const parts: Part[] = names.map((n) => (n === '**' ? { kind: 'any' } : { kind: 'name', re: nameRegExp(n, source) }));
  // Unanchored: may start at any depth.
  if (!anchored && parts[0]?.kind !== 'any') parts.unshift({ kind: 'any' });
  return { source, matches: (path) => matchParts(parts, splitPath(path)) };
}

/** Compiles several patterns; `matches` is true if any matches. */
export function compilePatterns(sources: string[]): PathPattern[] {
  return sources.map(compilePattern);
}

export function anyMatches(patterns: readonly PathPattern[], path: string): boolean {
  return patterns.some((p) => p.matches(path));
}

function splitPath(path: string): string[] {
  return path === '.' || path === '' ? [] : path.split('/');
}

/** parts[i..] against names[j..]; `**` backtracks, memoized so it stays O(parts × names). */
function matchParts(parts: Part[], names: string[]): boolean {
  const memo = new Map<number, boolean>();
  const width = names.length + 1;
  const at = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const part = parts[i];
    if (!part) result = j === names.length;
    else if (part.kind === 'any') result = at(i + 1, j) || (j < names.length && at(i, j + 1));
    else result = j < names.length && part.re.test(names[j]!) && at(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

/** One name's glob as an anchored regular expression. */
function nameRegExp(glob: string, source: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      const next = glob[++i];
      if (next === undefined) throw usageError(`invalid pattern '${source}': it ends with '\\'`);
      re += escapeRe(next);
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw usageError(`invalid pattern '${source}': '[' without ']'`);
      let body = glob.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      if (!body) throw usageError(`invalid pattern '${source}': empty class []`);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else {
      re += escapeRe(c);
    }
  }
  try {
    return new RegExp(`^${re}$`, 'u');
  } catch {
    throw usageError(`invalid pattern '${source}'`);
  }
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
