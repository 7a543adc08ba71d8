/**
 * `dvom serve` keeps one port across restarts (issue 14, item 5): the port in
 * the config ("serve": {"port": N}) is used; when it is taken, serve says so
 * and uses a free one rather than not starting.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { collect, removeAll, servedLinks, spawnDvom, tempDir } from './run-dvom.ts';

const dirs: string[] = [];
after(() => removeAll(...dirs));

/** Starts `dvom serve` with `config`; resolves with the port of the link it prints and what it wrote to stderr, then stops it. */
async function serveOnce(work: string, config: object, args: string[] = []): Promise<{ port: number; stderr: string }> {
  const file = path.join(work, 'config.json');
  await fs.writeFile(file, JSON.stringify(config), { mode: 0o600 });
  const child = spawnDvom(['serve', ...args], { store: path.join(work, 'store'), env: { DVOM_CONFIG: file } });
  const done = collect(child, 60_000);
  const link = await servedLinks(child, done).first;
  child.kill('SIGTERM');
  const r = await done;
  return { port: Number(new URL(link).port), stderr: r.stderr };
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

test('dvom serve listens on the config’s port; a taken one gives a free port and a warning; --port overrides the config', async () => {
  const work = await tempDir('serve-port');
  dirs.push(work);

  const wanted = await freePort();
  const first = await serveOnce(work, { version: 1, serve: { port: wanted } });
  assert.equal(first.port, wanted, first.stderr);
  assert.doesNotMatch(first.stderr, /in use/);
  const again = await serveOnce(work, { version: 1, serve: { port: wanted } });
  assert.equal(again.port, wanted, 'the same port after a restart');

  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(wanted, '127.0.0.1', () => resolve()));
  try {
    const moved = await serveOnce(work, { version: 1, serve: { port: wanted } });
    assert.notEqual(moved.port, wanted);
    assert.match(moved.stderr, new RegExp(`port ${wanted} is in use, so DVOM serves on ${moved.port} this time`));
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }

  const other = await freePort();
  const flagged = await serveOnce(work, { version: 1, serve: { port: wanted } }, [`--port=${other}`]);
  assert.equal(flagged.port, other);

  const bad = await serveOnce(work, { version: 1, serve: { port: 'x' } }).catch((err: Error) => err);
  assert.ok(bad instanceof Error && /serve\.port/.test(bad.message), String(bad));
});
