/**
 * `dvom` sizes libuv's thread pool to the machine (src/main/platform/thread-pool.ts)
 * before anything uses it, and keeps a size the user set. Counted from the
 * threads libuv names, in a real backup (which uses the pool for file I/O,
 * compression and the key derivation).
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { removeAll, runOk, tempDir } from './run-dvom.ts';

const dirs: string[] = [];
after(() => removeAll(...dirs));

/** Loaded ahead of dvom (--import); at exit, prints how many pool threads the process started. */
const PROBE = `
import { readdirSync, readFileSync } from 'node:fs';
process.on('exit', () => {
  const names = readdirSync('/proc/self/task').map((t) => readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim());
  process.stderr.write('pool threads: ' + names.filter((n) => n.startsWith('libuv-worker')).length + '\\n');
});
`;

async function poolThreads(userSize: string | undefined): Promise<number> {
  const store = await tempDir('pool-store');
  const src = await tempDir('pool-src');
  const probeDir = await tempDir('pool-probe');
  dirs.push(store, src, probeDir);
  await fs.writeFile(path.join(src, 'a.txt'), 'pool\n'.repeat(1000));
  const probe = path.join(probeDir, 'probe.mjs');
  await fs.writeFile(probe, PROBE);
  const { stderr } = await runOk(['backup', `--path=${src}`, '--name=pool', '--encrypt', '-q'], {
    store,
    env: { DVOM_PASSWORD: 'pool-pass', NODE_OPTIONS: `--import=${probe}`, UV_THREADPOOL_SIZE: userSize },
  });
  const counted = /pool threads: (\d+)/.exec(stderr);
  assert.ok(counted, stderr);
  return Number(counted[1]);
}

const linux = process.platform === 'linux';

test('a backup runs libuv\'s pool with a thread per core, two to four (libuv alone starts four)', { skip: !linux && 'thread names are read from /proc' }, async () => {
  assert.equal(await poolThreads(undefined), Math.min(4, Math.max(2, availableParallelism())));
});

test('a pool size the user set is kept', { skip: !linux && 'thread names are read from /proc' }, async () => {
  assert.equal(await poolThreads('3'), 3);
});
