import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { excludeSourceEntries, parsePatternFile, pathFilter, type PathRules } from './path-filter.ts';
import type { SourceEntry, TreeEntry } from './tree-entry.ts';

/** A tree in archive order: dirs end with '/', 'x => y' is a hard link. */
const TREE = ['./', 'a/', 'a/keep.txt', 'a/skip.log', 'a/deep/', 'a/deep/x.log', 'a/deep/y.txt', 'b/', 'b/c/', 'b/c/d/', 'b/c/d/target.db', 'b/link => a/skip.log', 'top.log'];

function entries(): TreeEntry[] {
  return TREE.map((spec) => {
    const [name, target] = spec.split(' => ');
    const dir = name!.endsWith('/');
    const path = Buffer.from(dir ? name!.slice(0, -1) || '.' : name!);
    const base = { path, mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, size: 0 };
    if (target) return { ...base, type: 'hardlink', linkTarget: Buffer.from(target) };
    return { ...base, type: dir ? 'dir' : 'file' };
  });
}

async function run(rules: PathRules): Promise<string[]> {
  const out: string[] = [];
  const source = async function* () {
    yield* entries();
  };
  for await (const e of pathFilter(rules)(source())) out.push(e.path.toString());
  return out;
}

describe('path filter (--include / --exclude)', () => {
  it('exclude drops what matches and everything below a matching folder', async () => {
    assert.deepEqual(await run({ exclude: ['*.log', '/b/c'] }), ['.', 'a', 'a/keep.txt', 'a/deep', 'a/deep/y.txt', 'b']);
  });

  it('include keeps what matches plus exactly the folders leading to it, in order', async () => {
    assert.deepEqual(await run({ include: ['target.db'] }), ['.', 'b', 'b/c', 'b/c/d', 'b/c/d/target.db']);
    assert.deepEqual(await run({ include: ['/a/deep'] }), ['.', 'a', 'a/deep', 'a/deep/x.log', 'a/deep/y.txt']);
    assert.deepEqual(await run({ include: ['*.txt'] }), ['.', 'a', 'a/keep.txt', 'a/deep', 'a/deep/y.txt']);
  });

  it('include and exclude together; a hard link goes only with its target', async () => {
    assert.deepEqual(await run({ include: ['/a', '/b'], exclude: ['deep'] }), ['.', 'a', 'a/keep.txt', 'a/skip.log', 'b', 'b/c', 'b/c/d', 'b/c/d/target.db', 'b/link']);
    assert.deepEqual(await run({ include: ['/b'] }), ['.', 'b', 'b/c', 'b/c/d', 'b/c/d/target.db'], 'the link to a/skip.log is left out');
    assert.deepEqual(await run({ exclude: ['skip.log'] }).then((l) => l.includes('b/link')), false);
  });

  it('nothing matching an include leaves only the root', async () => {
    assert.deepEqual(await run({ include: ['nothing'] }), ['.']);
  });

  it('excludes source entries (backup) without touching their content', async () => {
    let read = 0;
    const source = async function* (): AsyncGenerator<SourceEntry> {
      for (const header of entries()) {
        yield {
          header,
          ...(header.type === 'file' ? { body: (async function* () { read++; yield Buffer.from('x'); })() } : {}),
        };
      }
    };
    const kept: string[] = [];
    const warnings: string[] = [];
    for await (const e of excludeSourceEntries(source(), ['/a', 'top.log'], (m) => warnings.push(m))) kept.push(e.header.path.toString());
    assert.deepEqual(kept, ['.', 'b', 'b/c', 'b/c/d', 'b/c/d/target.db']);
    assert.equal(read, 0);
    // A stream carries a hard-linked file's content under its first path: a link to an excluded one is reported.
    assert.deepEqual(warnings, ["skipped 'b/link': it is a hard link to 'a/skip.log', which is excluded (exclude both or neither)"]);
  });

  it('reads exclude files: one pattern a line, comments and blank lines skipped', () => {
    assert.deepEqual(parsePatternFile('# caches\n*.tmp\n\n  /var/cache  \r\n#x\n'), ['*.tmp', '/var/cache']);
  });
});
