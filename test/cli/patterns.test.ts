/**
 * backup --exclude / --exclude-file and restore --include / --exclude on real
 * folder backups: what is left out is really absent (and its content never
 * stored), the exclusions are recorded in the version, and a selective
 * restore writes exactly the selection with byte-identical files.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listFiles, makeSmallDataset, manifest, removeAll, runDvom, runOk, tempDir } from './run-dvom.ts';

const PW = { DVOM_PASSWORD: 'patterns-test-password' };

describe('backup --exclude, restore --include/--exclude (folder backups)', () => {
  let src = '';
  let store = '';
  let work = '';
  const ok = (args: string[]) => runOk(args, { store, env: PW });

  before(async () => {
    [src, store, work] = await Promise.all([tempDir('pat-src'), tempDir('pat-store'), tempDir('pat-work')]);
    await makeSmallDataset(src);
    await fs.mkdir(path.join(src, 'cache', 'inner'), { recursive: true });
    await fs.writeFile(path.join(src, 'cache', 'inner', 'blob'), 'UNIQUE-CACHE-CONTENT-'.repeat(1000));
    await fs.writeFile(path.join(src, 'sub', 'scratch.tmp'), 'tmp');
    await fs.writeFile(path.join(src, 'notes.tmp'), 'tmp');
  });
  after(() => removeAll(src, store, work));

  test('backup --exclude and --exclude-file leave the matches out and record the patterns', async () => {
    const file = path.join(work, 'excludes.txt');
    await fs.writeFile(file, '# build output\n/cache\n\n');
    await ok(['backup', `--path=${src}`, '--name=pat', '--encrypt', '--exclude=*.tmp', `--exclude-file=${file}`]);
    const ls = await ok(['ls', 'pat', '--json']);
    const paths = ls.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { path: string }).path);
    const expected = (await listFiles(src)).filter((f) => !f.endsWith('.tmp') && !f.startsWith('cache/')).map((f) => `/${f}`);
    assert.deepEqual(paths.filter((p) => !['/', '/sub', '/sub/deeper', '/empty-dir'].includes(p)).sort(), expected.sort());
    assert.ok(!paths.includes('/cache'));
    assert.match(ls.stderr, /backed up with --exclude '\*\.tmp' '\/cache'/);
    // The excluded files' content is not in the version (the store is encrypted, so compare sizes instead of bytes):
    // its exact logical size, read with the key, is that of the files kept, to the byte.
    const stats = JSON.parse((await ok(['stats', 'pat', '--json'])).stdout) as { versions: { logicalBytes: number }[] };
    const sizes = await Promise.all(expected.map(async (p) => (await fs.lstat(path.join(src, p))).isFile() ? (await fs.stat(path.join(src, p))).size : 0));
    assert.equal(stats.versions.length, 1);
    assert.equal(stats.versions[0]!.logicalBytes, sizes.reduce((a, b) => a + b, 0));
    // The version file does not show the patterns in the clear.
    const versions = await listFiles(path.join(store, 'backups', 'pat', 'versions'));
    const text = await fs.readFile(path.join(store, 'backups', 'pat', 'versions', versions[0]!), 'utf8');
    assert.doesNotMatch(text, /\.tmp|\/cache/);
  });

  test('a malformed pattern or a missing exclude file is a usage error before anything is stored', async () => {
    const bad = await runDvom(['backup', `--path=${src}`, '--name=other', '--exclude=[x'], { store, env: PW });
    assert.equal(bad.code, 2);
    const missing = await runDvom(['backup', `--path=${src}`, '--name=other', '--exclude-file=/nonexistent/x'], { store, env: PW });
    assert.equal(missing.code, 2);
    assert.equal((await runDvom(['info', 'other'], { store })).code, 4);
  });

  test('a hard-linked file whose first path is excluded is kept, with its content, under its other path', async () => {
    const linked = path.join(work, 'linked');
    await fs.mkdir(path.join(linked, 'a'), { recursive: true });
    await fs.mkdir(path.join(linked, 'b'));
    await fs.writeFile(path.join(linked, 'a', 'data.db'), 'HARD-LINKED-CONTENT-'.repeat(500));
    await fs.link(path.join(linked, 'a', 'data.db'), path.join(linked, 'b', 'data.db'));
    await ok(['backup', `--path=${linked}`, '--name=links', '--encrypt', '--exclude=/a']);
    const dest = path.join(work, 'links-out');
    await ok(['restore', '--snapshot=links', `--target-dir=${dest}`]);
    assert.deepEqual(await listFiles(dest), ['b/data.db']);
    assert.equal(await fs.readFile(path.join(dest, 'b', 'data.db'), 'utf8'), 'HARD-LINKED-CONTENT-'.repeat(500));
  });

  test('restore --include writes only the matches and the folders leading to them', async () => {
    await ok(['backup', `--path=${src}`, '--name=full', '--encrypt']);
    const dest = path.join(work, 'included');
    await ok(['restore', '--snapshot=full', `--target-dir=${dest}`, '--include=random.bin', '--include=/hello.txt']);
    assert.deepEqual(await listFiles(dest), ['hello.txt', 'sub/deeper/random.bin']);
    assert.deepEqual(await fs.readdir(path.join(dest, 'sub')), ['deeper'], 'no other folder of sub is created');
    const original = await manifest(src);
    const restored = await manifest(dest);
    for (const [p, facts] of Object.entries(restored)) if (!p.endsWith('/')) assert.equal(facts, original[p], p);
  });

  test('restore --exclude writes everything else, byte for byte', async () => {
    const dest = path.join(work, 'excluded');
    await ok(['restore', '--snapshot=full', `--target-dir=${dest}`, '--exclude=/sub', '--exclude=*.tmp']);
    const expected = Object.fromEntries(Object.entries(await manifest(src)).filter(([p]) => !p.startsWith('sub') && !p.endsWith('.tmp')));
    assert.deepEqual(await manifest(dest), expected);
  });

  test('restore --dry-run --include checks only the selection and does not mark the version verified', async () => {
    const r = await ok(['restore', '--snapshot=full', '--dry-run', '--include=*.md']);
    assert.match(r.stdout, /\(the selected files only; not recorded as verified\) passed: 1 files/);
    const versions = JSON.parse((await ok(['versions', 'full', '--json'])).stdout) as { verifiedAt: string | null }[];
    assert.equal(versions[0]!.verifiedAt, null);
  });
});
