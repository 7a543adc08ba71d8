import { isRootPath } from './entry-path.ts';
import { anyMatches, compilePatterns, type PathPattern } from './path-pattern.ts';
import { displayPath, type SourceEntry, type TreeEntry } from './tree-entry.ts';

/**
 * --include / --exclude over a stream of entries in archive order (parents
 * before children). An entry is excluded if it or a folder above it matches
 * an exclude pattern; with include patterns, only entries that (or whose
 * folder above) match one are kept, plus the folders leading to them. Paths
 * are those of the stream (relative to the volume or folder restored or
 * backed up); the root itself always passes.
 */

/** A transformation of a whole entry stream (unlike EntrySelector, it may hold entries back). */
export type EntryFilter = (entries: AsyncIterable<TreeEntry>) => AsyncIterable<TreeEntry>;

export interface PathRules {
  include?: string[];
  exclude?: string[];
}

interface Compiled {
  include: PathPattern[];
  exclude: PathPattern[];
}

function compile(rules: PathRules): Compiled {
  return { include: compilePatterns(rules.include ?? []), exclude: compilePatterns(rules.exclude ?? []) };
}

export function hasRules(rules: PathRules | undefined): boolean {
  return !!rules && ((rules.include?.length ?? 0) > 0 || (rules.exclude?.length ?? 0) > 0);
}

/** True if `path` or a folder above it matches one of `patterns`. */
function selfOrParentMatches(patterns: PathPattern[], path: string): boolean {
  if (!patterns.length || path === '.') return false;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    if (anyMatches(patterns, path.slice(0, i))) return true;
  }
  return anyMatches(patterns, path);
}

function excluded(c: Compiled, path: string): boolean {
  return selfOrParentMatches(c.exclude, path);
}

function included(c: Compiled, path: string): boolean {
  return !c.include.length || selfOrParentMatches(c.include, path);
}

const isAbove = (dir: string, path: string) => dir === '.' || path.startsWith(`${dir}/`);

/** The restore side: a filter for a version's entries. */
export function pathFilter(rules: PathRules): EntryFilter {
  const c = compile(rules);
  return async function* filter(entries) {
    // Folders not selected themselves, held until something below them is (at most one per depth).
    const pending: TreeEntry[] = [];
    for await (const entry of entries) {
      const path = displayPath(entry.path);
      while (pending.length && !isAbove(displayPath(pending.at(-1)!.path), path)) pending.pop();
      if (isRootPath(entry.path)) {
        yield entry;
        continue;
      }
      if (excluded(c, path)) continue;
      if (!included(c, path)) {
        if (entry.type === 'dir') pending.push(entry);
        continue;
      }
      // A hard link is kept only with its target (otherwise it would point at nothing).
      if (entry.type === 'hardlink' && entry.linkTarget) {
        const target = displayPath(entry.linkTarget);
        if (excluded(c, target) || !included(c, target)) continue;
      }
      yield* pending.splice(0);
      yield entry;
    }
  };
}

/** The backup side for sources that can skip a path before reading it (folders): true if `path` is excluded. */
export function excludedPath(exclude: string[]): (path: string) => boolean {
  const c = compile({ exclude });
  return (path) => excluded(c, path);
}

/**
 * The backup side for a stream (a volume's tar): its entries without the
 * excluded ones (the content of a skipped file is never stored). Include
 * patterns are not offered for backups; only `exclude` applies. A hard link
 * whose first path is excluded cannot be kept (a stream carries the content
 * once, under that path): it is skipped and reported, never dropped silently.
 */
export async function* excludeSourceEntries(
  entries: AsyncIterable<SourceEntry>,
  exclude: string[],
  onWarning?: (message: string) => void,
): AsyncGenerator<SourceEntry> {
  const isExcluded = excludedPath(exclude);
  for await (const entry of entries) {
    const path = displayPath(entry.header.path);
    if (isExcluded(path)) continue;
    if (entry.header.type === 'hardlink' && entry.header.linkTarget) {
      const target = displayPath(entry.header.linkTarget);
      if (isExcluded(target)) {
        onWarning?.(`skipped '${path}': it is a hard link to '${target}', which is excluded (exclude both or neither)`);
        continue;
      }
    }
    yield entry;
  }
}

/** Patterns from an --exclude-file: one per line; blank lines and lines starting with '#' are ignored. */
export function parsePatternFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}
