/**
 * File-level commands on real (encrypted) backups of folders: ls, diff, dump,
 * find, stats. Each assertion is about the outcome: the listed entries are
 * the folder's, dumped bytes are the original file's, diff names exactly the
 * paths that changed, stats add up.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { listFiles, makeSmallDataset, manifest, removeAll, runDvom, runOk, spawnDvom, storeCopy, tempDir, writeRandomFile } from './run-dvom.ts';

const PW = { DVOM_PASSWORD: 'files-test-password' };
const run = promisify(execFile);

/** Runs dvom and keeps stdout as raw bytes (dump writes binary). */
async function dvomBytes(args: string[], store: string): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawnDvom(args, { store, env: PW });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout: Buffer.concat(out), stderr };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Row {
  path: string;
  type: string;
  mode: number;
  size: number;
  mtime: string;
  linkTarget?: string;
}

describe('dvom ls, diff, dump, find, stats (folder backups)', () => {
  let src = '';
  let store = '';
  let v1 = '';
  let v2 = '';
  const dirs: string[] = [];

  const ok = (args: string[]) => runOk(args, { store, env: PW });
  const fail = async (args: string[], code: number) => {
    const r = await runDvom(args, { store, env: PW });
    assert.equal(r.code, code, `dvom ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const lsJson = async (...args: string[]) =>
    (await ok(['ls', 'box', '--json', ...args])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Row);

  before(async () => {
    src = await tempDir('files-src');
    store = await tempDir('files-store');
    await makeSmallDataset(src);
    await fs.link(path.join(src, 'hello.txt'), path.join(src, 'hard-hello'));
    await fs.writeFile(path.join(src, 'sub', 'will-change.txt'), 'before\n');
    await fs.writeFile(path.join(src, 'will-go.txt'), 'gone soon\n');
    await fs.writeFile(path.join(src, 'mode-only.txt'), 'same\n');
    v1 = (await ok(['backup', `--path=${src}`, '--name=box', '--encrypt'])).stdout.trim();
    // Changes: one file's content, one added, one removed, one chmod (metadata only).
    await fs.writeFile(path.join(src, 'sub', 'will-change.txt'), 'after, and longer\n');
    await writeRandomFile(path.join(src, 'sub', 'deeper', 'added.bin'), 70_000);
    await fs.rm(path.join(src, 'will-go.txt'));
    await fs.chmod(path.join(src, 'mode-only.txt'), 0o600);
    v2 = (await ok(['backup', `--path=${src}`, '--name=box'])).stdout.trim();
  });
  after(() => removeAll(src, store, ...dirs));

  test('ls lists every entry of the latest version with mode, owner, size, mtime and name', async () => {
    const rows = await lsJson();
    const files = (await listFiles(src)).map((f) => `/${f}`);
    const listed = rows.filter((r) => r.type !== 'dir').map((r) => r.path).sort();
    assert.deepEqual(listed, files.sort());
    assert.deepEqual(rows.filter((r) => r.type === 'dir').map((r) => r.path).sort(), ['/', '/empty-dir', '/sub', '/sub/deeper']);
    for (const r of rows.filter((x) => x.type === 'file')) {
      const st = await fs.stat(path.join(src, r.path));
      assert.equal(r.size, st.size, r.path);
      assert.equal(r.mode, st.mode & 0o7777, r.path);
      assert.equal(Date.parse(r.mtime), Math.floor(st.mtimeMs), r.path);
    }
    assert.equal(rows.find((r) => r.path === '/link-to-hello')?.linkTarget, 'hello.txt');

    const text = (await ok(['ls', 'box'])).stdout;
    assert.match(text, /^-rwxr-xr-x {2}\S+\/\S+ +18 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\/script\.sh$/m);
    assert.match(text, /^lrwxrwxrwx .* \/link-to-hello -> hello\.txt$/m);
    assert.match(text, /^drwx.* \/sub$/m);
  });

  test('ls PATH lists that folder and what is below it; --version takes a unique prefix', async () => {
    assert.deepEqual((await lsJson('/sub/deeper')).map((r) => r.path), ['/sub/deeper', '/sub/deeper/added.bin', '/sub/deeper/random.bin']);
    assert.deepEqual((await lsJson('sub/deeper/', `--version=${v1.slice(0, 20)}`)).map((r) => r.path), ['/sub/deeper', '/sub/deeper/random.bin']);
    assert.deepEqual((await lsJson('/will-go.txt', `--version=${v1}`)).map((r) => r.size), [10]);
    const missing = await fail(['ls', 'box', '/will-go.txt'], 4);
    assert.match(missing.stderr, /^Error: version \S+ of backup 'box' has no '\/will-go.txt'/m);
    await fail(['ls', 'box', '--version=zzz'], 4);
    await fail(['ls', 'box', '--version=2'], 2); // both ids start with the year: ambiguous
    await fail(['ls', 'box', '--password=wrong'], 3);
    await fail(['ls', 'nobox'], 4);
  });

  test('diff names exactly the added, removed and changed paths, with sizes', async () => {
    const rows = (await ok(['diff', 'box', v1, v2, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = rows.pop() as { summary: Record<string, { entries: number; bytes: number }> };
    // In path order: 'deeper' before 'will-change.txt' inside 'sub', 'sub' before 'will-go.txt'.
    assert.deepEqual(rows, [
      { change: '+', path: '/sub/deeper/added.bin', type: 'file', size: 70_000 },
      { change: 'M', path: '/sub/will-change.txt', type: 'file', size: 18, oldSize: 7 },
      { change: '-', path: '/will-go.txt', type: 'file', size: 0, oldSize: 10 },
    ]);
    assert.equal(summary.summary.added!.entries, 1);
    assert.equal(summary.summary.added!.bytes, 70_000);
    assert.equal(summary.summary.removed!.bytes, 10);

    const text = (await ok(['diff', 'box', v1.slice(0, 20), 'latest'])).stdout;
    assert.match(text, /^\+ {2}\/sub\/deeper\/added\.bin {2}\(68\.4 KiB\)$/m);
    assert.match(text, /^- {2}\/will-go\.txt {2}\(10 B\)$/m);
    assert.match(text, /^M {2}\/sub\/will-change\.txt {2}\(7 B -> 18 B\)$/m);
    assert.doesNotMatch(text, /mode-only/, 'a mode change is not a content change');

    const withMeta = (await ok(['diff', 'box', v1, v2, '--metadata'])).stdout;
    assert.match(withMeta, /^U {2}\/mode-only\.txt$/m);
    assert.equal((await ok(['diff', 'box', v2, v2])).stdout.split('\n').filter((l) => /^[-+MU] /.test(l)).length, 0);
    // Reversed, additions become removals.
    assert.match((await ok(['diff', 'box', v2, v1])).stdout, /^- {2}\/sub\/deeper\/added\.bin {2}\(68\.4 KiB\)$/m);
  });

  test('dump writes a file\'s exact bytes (any version, through a hard link) and a folder as a tar stream', async () => {
    const original = await fs.readFile(path.join(src, 'sub', 'deeper', 'random.bin'));
    const r = await dvomBytes(['dump', 'box', '/sub/deeper/random.bin'], store);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha(r.stdout), sha(original));
    assert.equal(r.stdout.length, original.length);

    const old = await dvomBytes(['dump', 'box', 'sub/will-change.txt', `--version=${v1}`], store);
    assert.equal(old.stdout.toString(), 'before\n');
    const viaLink = await dvomBytes(['dump', 'box', '/hard-hello'], store);
    assert.equal(viaLink.stdout.toString(), 'hello, dvom\n');

    const tar = await dvomBytes(['dump', 'box', '/sub'], store);
    assert.equal(tar.code, 0, tar.stderr);
    const out = await tempDir('files-untar');
    dirs.push(out);
    await fs.writeFile(path.join(out, 'sub.tar'), tar.stdout);
    await fs.mkdir(path.join(out, 'x'));
    await run('tar', ['-xf', path.join(out, 'sub.tar'), '-C', path.join(out, 'x')]);
    assert.deepEqual(await fs.readdir(path.join(out, 'x')), ['sub']);
    assert.deepEqual(await manifest(path.join(out, 'x', 'sub')), await manifest(path.join(src, 'sub')));

    const sym = await dvomBytes(['dump', 'box', '/link-to-hello'], store);
    assert.equal(sym.code, 2);
    assert.match(sym.stderr, /is a symbolic link to 'hello.txt', not a file/);
    assert.equal((await dvomBytes(['dump', 'box', '/nope'], store)).code, 4);
    assert.equal((await dvomBytes(['dump', 'box', '/../etc/passwd'], store)).code, 2);
  });

  test('a reader that goes away (dvom dump … | head -c 1) ends dump quietly, leaving no lock', async () => {
    const child = spawnDvom(['dump', 'box', '/sub/deeper/random.bin'], { store, env: PW });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.once('data', () => child.stdout!.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /Error|EPIPE/);
    assert.deepEqual(await listFiles(path.join(store, 'backups', 'box', 'locks')), []);
  });

  test('dump exits 5 and stops when the stored data was tampered with', async () => {
    const { store: copy } = await storeCopy(store, 'files-tamper', dirs);
    const packsDir = path.join(copy, 'backups', 'box', 'packs');
    let biggest = '';
    let size = -1;
    for (const p of await listFiles(packsDir)) {
      const st = await fs.stat(path.join(packsDir, p));
      if (st.size > size) [biggest, size] = [path.join(packsDir, p), st.size];
    }
    const buf = await fs.readFile(biggest);
    buf[Math.floor(buf.length / 2)]! ^= 0x40;
    await fs.writeFile(biggest, buf);
    const r = await dvomBytes(['dump', 'box', '/sub/deeper/random.bin'], copy);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /authentication failed/);
  });

  test('find lists, per version, the entries matching a pattern', async () => {
    const rows = (await ok(['find', 'box', '*.txt', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Row & { version: string });
    const byVersion = (v: string) => rows.filter((r) => r.version === v).map((r) => r.path).sort();
    assert.deepEqual(byVersion(v1), ['/hello.txt', '/mode-only.txt', '/sub/will-change.txt', '/will-go.txt']);
    assert.deepEqual(byVersion(v2), ['/hello.txt', '/mode-only.txt', '/sub/will-change.txt']);

    const anchored = (await ok(['find', 'box', '/will-go.txt'])).stdout;
    assert.match(anchored, new RegExp(`^Version ${v1} \\(.*\\):\\n {2}-rw-r--r-- .* /will-go\\.txt$`, 'm'));
    assert.doesNotMatch(anchored, new RegExp(v2));
    assert.deepEqual(
      (await ok(['find', 'box', '/sub/**/*.bin', '--json'])).stdout.trim().split('\n').map((l) => (JSON.parse(l) as Row).path),
      ['/sub/deeper/random.bin', '/sub/deeper/added.bin', '/sub/deeper/random.bin'], // v1's, then v2's, in path order
    );
    assert.equal((await runDvom(['find', 'box', 'nothing-like-this'], { store, env: PW })).code, 4);
    assert.equal((await runDvom(['find', 'box', 'bad['], { store, env: PW })).code, 2);
  });

  test('stats: per version logical and stored sizes and the dedup ratio; overall from the store', async () => {
    const s = JSON.parse((await ok(['stats', 'box', '--json'])).stdout) as {
      versions: { version: string; logicalBytes: number; storedBytes: number; dedupRatio: number }[];
      total: { versions: number; logicalBytes: number; storedBytes: number; dedupRatio: number };
    };
    assert.deepEqual(s.versions.map((v) => v.version), [v1, v2]);
    const sizes = async (version: string) => (await lsJson(`--version=${version}`)).reduce((n, r) => n + (r.type === 'file' ? r.size : 0), 0);
    assert.equal(s.versions[0]!.logicalBytes, await sizes(v1));
    assert.equal(s.versions[1]!.logicalBytes, await sizes(v2));
    for (const v of s.versions) {
      assert.ok(v.storedBytes > 0);
      assert.ok(Math.abs(v.dedupRatio - v.logicalBytes / v.storedBytes) < 1e-9);
    }
    assert.equal(s.total.logicalBytes, s.versions[0]!.logicalBytes + s.versions[1]!.logicalBytes);
    let onDisk = 0;
    for (const f of await listFiles(path.join(store, 'backups', 'box'))) {
      if (!f.startsWith('locks/')) onDisk += (await fs.stat(path.join(store, 'backups', 'box', f))).size;
    }
    assert.equal(s.total.storedBytes, onDisk);
    // The second version shares almost everything with the first: the backup stores much less than both together.
    assert.ok(s.total.dedupRatio > 1.5, `dedup ratio ${s.total.dedupRatio}`);
    const text = (await ok(['stats', 'box'])).stdout;
    assert.match(text, /^VERSION +CREATED +FILES +LOGICAL +STORED +ADDED +DEDUP$/m);
    assert.match(text, /^Total: 2 versions, logical .*, stored .*, dedup ratio \d+\.\d\dx$/m);
  });

  test('each command has --help with an example', async () => {
    for (const c of ['ls', 'diff', 'dump', 'find', 'stats']) {
      const r = await runOk([c, '--help'], { store });
      assert.match(r.stdout, new RegExp(`^Usage: dvom ${c} BACKUP`, 'm'));
      assert.match(r.stdout, /^Examples?: dvom /m, c);
    }
    assert.equal((await runDvom(['diff', 'box', v1], { store, env: PW })).code, 2);
  });
});
