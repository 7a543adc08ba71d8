import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const threads = new URL('./engine-threads.ts', import.meta.url).href;

/** Runs `body` (an ES module) in a process of its own; it is killed if still running after 4 s. */
function run(body: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', body], { encoding: 'utf8', timeout: 4000 });
}

test('threads started ahead of time, idle, do not keep the process from ending', () => {
  // They would stop on their own only after 5 s.
  const child = run(`import { prestartThreads } from ${JSON.stringify(threads)}; prestartThreads(); console.log('started');`);
  assert.equal(child.signal, null, 'ended by itself');
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'started');
});

test('a job under way keeps the process alive until its answer, though nothing else is waited on', () => {
  const child = run(`
    import { prestartThreads, leaseThreads } from ${JSON.stringify(threads)};
    prestartThreads();
    const lease = leaseThreads();
    const files = [new Uint8Array(Buffer.from('hello '.repeat(1000)))];
    const spec = { gear: new Uint32Array(256).map((_, i) => i * 2654435761), params: { minSize: 256, avgSize: 1024, maxSize: 4096 }, idKey: undefined };
    lease.run(0, { op: 'files', spec, files }, files.map((f) => f.buffer)).then((reply) => console.log(reply.files.length, reply.files[0].sha256));
  `);
  assert.equal(child.signal, null, 'ended by itself');
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /^1 [0-9a-f]{64}\n$/, 'the answer arrived before the process ended');
});
