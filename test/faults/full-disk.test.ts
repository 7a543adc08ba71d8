/**
 * A full disk, through the `dvom` CLI: the store on a small tmpfs that fills
 * up during a backup, and a restore into a folder on a full tmpfs. The user
 * gets "no space left on device" (exit 1), no partial version is visible,
 * earlier versions restore, and once space is freed the next run works.
 * Needs `mount` (root); skipped with one line otherwise.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listFiles, manifest, runDvom, runOk } from '../cli/run-dvom.ts';
import { makeTemp } from './fault-fixtures.ts';

const MiB = 1024 * 1024;
const NAME = 'disk';
const mounts: string[] = [];
const temps: string[] = [];

function temp(label: string): string {
  const dir = makeTemp(label);
  temps.push(dir);
  return dir;
}

/** Mounts a tmpfs of `size` on a fresh folder; undefined when mounting is not permitted. */
function tmpfs(label: string, size: string): string | undefined {
  const dir = temp(label);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(dir);
  return dir;
}

/** Fills the filesystem of `dir` until about `leave` bytes are free. */
function fill(dir: string, leave: number): string {
  const st = fs.statfsSync(dir);
  const free = st.bavail * st.bsize;
  const filler = path.join(dir, 'filler');
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free - leave)));
  return filler;
}

function cleanup(): void {
  for (const dir of mounts.splice(0)) execFileSync('umount', [dir], { stdio: 'ignore' });
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

const probe = tmpfs('probe', '1m');
const skip = probe ? false : 'mount -t tmpfs is not permitted here (run as root)';
if (probe) cleanup();

describe('a full disk', { skip }, () => {
  let store: string;
  let source: string;
  const env = { DVOM_PASSWORD: 'full disk password' };
  const run = (args: string[]) => runDvom(args, { store, env });
  const ok = (args: string[]) => runOk(args, { store, env });
  const versionFiles = () => listFiles(path.join(store, 'backups', NAME, 'versions'));

  async function restoreTo(target: string, version?: string) {
    return run(['restore', `--snapshot=${NAME}`, ...(version ? [`--version=${version}`] : []), `--target-dir=${target}`]);
  }

  before(() => {
    store = tmpfs('store', '8m')!;
    source = temp('source');
  });
  after(cleanup);

  test('under the store: the backup fails with ENOSPC, no partial version; earlier versions restore; after freeing space the next backup works', { timeout: 60_000 }, async () => {
    fs.writeFileSync(path.join(source, 'first.bin'), randomBytes(MiB));
    const v1 = (await ok(['backup', `--path=${source}`, `--name=${NAME}`, '--encrypt'])).stdout.trim();
    const v1Manifest = await manifest(source);
    const v1Files = await versionFiles();
    assert.equal(v1Files.length, 1);

    const filler = fill(store, MiB);
    fs.writeFileSync(path.join(source, 'second.bin'), randomBytes(3 * MiB));
    const failed = await run(['backup', `--path=${source}`, `--name=${NAME}`]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /^Error: no space left on device/m);
    assert.deepEqual(await versionFiles(), v1Files, 'no new version');
    const leftovers = (await listFiles(store)).filter((f) => f.split('/').some((part) => part.startsWith('.tmp-')));
    assert.deepEqual(leftovers, [], 'no partial object');
    assert.deepEqual(await listFiles(path.join(store, 'backups', NAME, 'locks')), [], 'the lock was released');

    const scratch = temp('restore-v1');
    const r1 = await restoreTo(path.join(scratch, 'v1'), v1);
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(await manifest(path.join(scratch, 'v1')), v1Manifest, 'v1 restores as taken');

    fs.rmSync(filler);
    const v2 = (await ok(['backup', `--path=${source}`, `--name=${NAME}`])).stdout.trim();
    assert.notEqual(v2, v1);
    await ok(['verify', NAME, '--read-data']);
    const r2 = await restoreTo(path.join(scratch, 'v2'), v2);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(await manifest(path.join(scratch, 'v2')), await manifest(source), 'v2 restores as taken');
  });

  test('under the restore target: the restore fails with ENOSPC and leaves nothing; after freeing space it works', { timeout: 60_000 }, async () => {
    const disk = tmpfs('dest', '8m')!;
    const filler = fill(disk, 2 * MiB);
    const target = path.join(disk, 'restored');
    const failed = await restoreTo(target);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stderr, /^Error: no space left on device/m);
    assert.deepEqual(fs.readdirSync(disk), ['filler'], 'no target, no staging folder left');

    fs.rmSync(filler);
    const r = await restoreTo(target);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await manifest(target), await manifest(source), 'the restore is exact');
  });
});
