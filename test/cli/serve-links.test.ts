/**
 * `dvom serve` as a process: the link it prints works once, SIGUSR2 prints a
 * new one, and --open hands the opener a private file, never the link itself
 * (command lines are visible to every user). The opener is a stand-in script
 * on PATH that records what it was given.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { collect, removeAll, spawnDvom, tempDir } from './run-dvom.ts';

const dirs: string[] = [];
after(() => removeAll(...dirs));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

test('dvom serve --open: the opener never sees the link; each link logs in once; SIGUSR2 prints a new one', { skip: process.platform !== 'linux' && 'xdg-open stand-in is Linux only' }, async () => {
  const work = await tempDir('serve-links');
  dirs.push(work);
  const bin = path.join(work, 'bin');
  await fs.mkdir(bin);
  const record = path.join(work, 'opener');
  await fs.writeFile(
    path.join(bin, 'xdg-open'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}.args"\nstat -c %a "$1" > "${record}.mode"\ncp "$1" "${record}.html"\n: > "${record}.done"\n`,
    { mode: 0o755 },
  );
  const child = spawnDvom(['serve', '--port=0', '--open'], { store: path.join(work, 'store'), env: { PATH: `${bin}:${process.env.PATH}` } });
  const done = collect(child, 60_000);
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const lines = () => stdout.split('\n').filter((l) => l.startsWith('http://'));
  try {
    const [link] = await until('the printed link', () => (lines().length ? lines() : undefined));
    assert.match(link!, /^http:\/\/127\.0\.0\.1:\d+\/\?code=[A-Za-z0-9_-]{32}$/);
    const code = new URL(link!).searchParams.get('code')!;

    const opened = await until('the opener', () => fs.readFile(`${record}.done`, 'utf8').catch(() => undefined));
    assert.equal(opened, '');
    const args = await fs.readFile(`${record}.args`, 'utf8');
    assert.ok(!args.includes(code), `the opener's command line holds the code: ${args}`);
    assert.match(args.trim(), /^\/.*\.html$/);
    assert.equal((await fs.readFile(`${record}.mode`, 'utf8')).trim(), '600');
    assert.ok((await fs.readFile(`${record}.html`, 'utf8')).includes(`url=${link}`), 'the file sends the browser to the link');

    const first = await fetch(link!, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.match(first.headers.get('set-cookie') ?? '', /HttpOnly/);
    const again = await fetch(link!, { redirect: 'manual' });
    assert.equal(again.headers.get('set-cookie'), null, 'a second use of the link gets no session');

    child.kill('SIGUSR2');
    const [, fresh] = await until('a second link', () => (lines().length > 1 ? lines() : undefined));
    assert.notEqual(fresh, link);
    assert.match((await fetch(fresh!, { redirect: 'manual' })).headers.get('set-cookie') ?? '', /^dvom_session_\d+=/);
  } finally {
    child.kill('SIGTERM');
  }
  const result = await done;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Each link works once/);
  const openerFile = (await fs.readFile(`${record}.args`, 'utf8')).trim();
  await assert.rejects(fs.stat(openerFile), { code: 'ENOENT' }, 'the opener file is removed when serve stops');
});
