/** `dvom restore --target-dir` drops setuid/setgid bits unless --keep-setuid. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { removeAll, runDvom, runOk, tempDir } from './run-dvom.ts';

const dirs: string[] = [];
after(() => removeAll(...dirs));

test('dvom restore drops setuid/setgid by default; --keep-setuid keeps them; the flag needs --target-dir', async () => {
  const store = await tempDir('setuid-store');
  const work = await tempDir('setuid-work');
  dirs.push(store, work);
  const src = path.join(work, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'tool'), '#!/bin/sh\n');
  await fs.chmod(path.join(src, 'tool'), 0o4755);
  await runOk(['backup', `--path=${src}`, '--name=suid', '-q'], { store });
  const mode = async (dir: string) => ((await fs.stat(path.join(dir, 'tool'))).mode & 0o7777).toString(8);

  await runOk(['restore', '--snapshot=suid', `--target-dir=${path.join(work, 'plain')}`, '-q'], { store });
  assert.equal(await mode(path.join(work, 'plain')), '755');
  await runOk(['restore', '--snapshot=suid', `--target-dir=${path.join(work, 'kept')}`, '--keep-setuid', '-q'], { store });
  assert.equal(await mode(path.join(work, 'kept')), '4755');
  const misuse = await runDvom(['restore', '--snapshot=suid', '--dry-run', '--keep-setuid'], { store });
  assert.equal(misuse.code, 2);
  assert.match(misuse.stderr, /--keep-setuid goes with --target-dir/);
});
