import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SmallFileWriter } from './small-file-writer.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-sfw-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const meta = { mode: 0o640, uid: 0, gid: 0, time: 1_500_000_000, chown: false };

test('writes files with their content, mode and time, sparse when all zeros, across many batches', async (t) => {
  const dir = tempDir(t);
  const writer = new SmallFileWriter();
  try {
    for (let i = 0; i < 300; i++) {
      await writer.add({ ...meta, dest: Buffer.from(path.join(dir, `f${i}`)), data: Buffer.from(`file ${i}\n`.repeat(i)), size: 7 * i });
    }
    await writer.add({ ...meta, dest: Buffer.from(path.join(dir, 'zeros')), data: Buffer.alloc(0), size: 5000 });
    await writer.drain();
  } finally {
    await writer.close();
  }
  for (const i of [0, 1, 150, 299]) assert.equal(fs.readFileSync(path.join(dir, `f${i}`), 'utf8'), `file ${i}\n`.repeat(i));
  const st = fs.statSync(path.join(dir, 'f7'));
  assert.equal(st.mode & 0o7777, 0o640);
  assert.equal(st.mtimeMs, 1_500_000_000_000);
  assert.deepEqual(fs.readFileSync(path.join(dir, 'zeros')), Buffer.alloc(5000));
});

test('a file that cannot be created fails the next call with its name and code, and nothing is overwritten', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'exists'), 'keep me');
  const writer = new SmallFileWriter();
  try {
    await writer.add({ ...meta, dest: Buffer.from(path.join(dir, 'exists')), data: Buffer.from('new'), size: 3 });
    await assert.rejects(writer.drain(), (err: NodeJS.ErrnoException) => err.code === 'EEXIST' && err.message.includes('exists'));
    await assert.rejects(writer.add({ ...meta, dest: Buffer.from(path.join(dir, 'later')), data: Buffer.from('x'), size: 1 }));
  } finally {
    await writer.close();
  }
  assert.equal(fs.readFileSync(path.join(dir, 'exists'), 'utf8'), 'keep me');
});
