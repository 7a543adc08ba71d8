/**
 * A backup killed with SIGKILL at random points never leaves a broken version:
 * after every kill the backup verifies clean (reading all data), the dead
 * process's lock does not get in the way, and every version that exists
 * restores byte-identically to the dataset it was taken from.
 *
 * The schedule (which files change, the kill delays) comes from a seeded PRNG;
 * set DVOM_CRASH_SEED to replay a run.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import { watch } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { collect, listFiles, manifest, removeAll, runDvom, runOk, spawnDvom, tempDir, type RunResult } from './run-dvom.ts';

const ROUNDS = 8;
const BIG_FILES = 8;
const SMALL_DIRS = 10;
const SMALL_PER_DIR = 50;
const MiB = 1024 * 1024;
const NAME = 'crashy';
const ENV = { DVOM_PASSWORD: 'crash test' };

/** Small, seedable PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic incompressible bytes for a label (AES-CTR keystream). */
function bytesFor(label: string, size: number): Buffer {
  const key = createHash('sha256').update(label).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** Deterministic, somewhat compressible text. */
function textFor(label: string, size: number): string {
  return bytesFor(label, Math.ceil(size / 2)).toString('hex').slice(0, size);
}

class Dataset {
  readonly dir: string;
  private readonly rand: () => number;
  private readonly seed: number;
  private small: string[] = [];
  private serial = 0;

  constructor(dir: string, seed: number) {
    this.dir = dir;
    this.seed = seed;
    this.rand = prng(seed);
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.rand() * (max - min + 1));
  }

  private bigName(i: number): string {
    return path.join(this.dir, `big-${String(i).padStart(2, '0')}.bin`);
  }

  async create(): Promise<void> {
    for (let i = 0; i < BIG_FILES; i++) {
      await fs.writeFile(this.bigName(i), bytesFor(`${this.seed}/big/${i}/0`, this.int(3.5 * MiB, 5.5 * MiB)));
    }
    for (let d = 0; d < SMALL_DIRS; d++) {
      await fs.mkdir(path.join(this.dir, 'small', `d${d}`), { recursive: true });
      for (let f = 0; f < SMALL_PER_DIR; f++) {
        const rel = path.join('small', `d${d}`, `f${f}.txt`);
        await fs.writeFile(path.join(this.dir, rel), textFor(`${this.seed}/${rel}/0`, this.int(10, 12_000)));
        this.small.push(rel);
      }
    }
  }

  /** Changes a few big and small files so a backup has new data to write. */
  async modify(round: number): Promise<void> {
    // Every third round more than a pack's worth (16 MiB), so a pack is also sealed mid-run.
    const rewrites = round % 3 === 0 ? 4 : 1;
    for (let k = 0; k < rewrites; k++) {
      const i = this.int(0, BIG_FILES - 1);
      await fs.writeFile(this.bigName(i), bytesFor(`${this.seed}/big/${i}/${round}/${k}`, this.int(3.5 * MiB, 5.5 * MiB)));
    }
    // Patch 64 KiB in the middle of another big file (dedup must keep the rest).
    const patched = this.bigName(this.int(0, BIG_FILES - 1));
    const handle = await fs.open(patched, 'r+');
    try {
      const { size } = await handle.stat();
      await handle.write(bytesFor(`${this.seed}/patch/${round}`, 64 * 1024), 0, 64 * 1024, this.int(0, size - 64 * 1024));
    } finally {
      await handle.close();
    }
    for (let k = 0; k < 10; k++) {
      const rel = this.small[this.int(0, this.small.length - 1)]!;
      await fs.writeFile(path.join(this.dir, rel), textFor(`${this.seed}/${rel}/${round}`, this.int(10, 12_000)));
    }
    for (let k = 0; k < 3; k++) {
      const rel = path.join('small', `d${this.int(0, SMALL_DIRS - 1)}`, `new-${round}-${this.serial++}.txt`);
      await fs.writeFile(path.join(this.dir, rel), textFor(`${this.seed}/${rel}`, this.int(10, 12_000)));
      this.small.push(rel);
    }
    for (let k = 0; k < 2; k++) {
      const [rel] = this.small.splice(this.int(0, this.small.length - 1), 1);
      await fs.rm(path.join(this.dir, rel!));
    }
  }

  /**
   * A kill delay in [minMs, maxMs]: uniform on odd rounds, from the last third
   * on even ones, where packs, the index and the version file are written.
   */
  delay(round: number, minMs: number, maxMs: number): number {
    const from = round % 2 ? minMs : minMs + ((maxMs - minMs) * 2) / 3;
    return Math.round(from + this.rand() * (maxMs - from));
  }
}

/**
 * Resolves with the name of the first object (not a temporary file) written
 * under `dir` once started; inotify-based, so it fires within a millisecond.
 */
function firstNewObject(dir: string, recursive: boolean): { appeared: Promise<string>; close(): void } {
  let close = () => {};
  const appeared = new Promise<string>((resolve) => {
    const watcher = watch(dir, { recursive }, (_event, name) => {
      const base = name ? path.basename(name.toString()) : '';
      if (/^[0-9a-f]{64}$/.test(base)) resolve(base);
    });
    close = () => watcher.close();
  });
  return { appeared, close: () => close() };
}

/**
 * How round `round` picks its kill moment: mostly a random delay, but two
 * rounds kill as soon as the run stores its first pack, or its index file
 * (the moments just before the index and the version file are written).
 */
function trigger(round: number): 'delay' | 'pack' | 'index' {
  return round === 6 ? 'pack' : round === ROUNDS ? 'index' : 'delay';
}

interface VersionJson {
  id: string;
  stats: { files: number; bytes: number };
}

test('a backup killed with SIGKILL at random points never leaves a broken version', { timeout: 180_000 }, async (t) => {
  const seed = Number(process.env.DVOM_CRASH_SEED ?? 20240611);
  t.diagnostic(`seed ${seed} (replay with DVOM_CRASH_SEED=${seed})`);
  const store = await tempDir('crash-store');
  const data = await tempDir('crash-data');
  const work = await tempDir('crash-work');
  const opts = { store, env: ENV, timeoutMs: 60_000 };
  const root = path.join(store, 'backups', NAME);
  const locksDir = path.join(root, 'locks');

  /** Every version we know of → the manifest of the dataset it was taken from. */
  const expected = new Map<string, Record<string, string>>();

  const listVersions = async (): Promise<string[]> => {
    const r = await runOk(['versions', NAME, '--json'], opts);
    return (JSON.parse(r.stdout) as VersionJson[]).map((v) => v.id);
  };

  /** The version ids in the store, read directly (cheaper than a `dvom versions` run each round). */
  const versionFiles = async (): Promise<string[]> =>
    (await fs.readdir(path.join(root, 'versions'))).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));

  const restoresTo = async (version: string, want: Record<string, string>): Promise<void> => {
    const target = path.join(work, `restore-${version}`);
    await runOk(['restore', `--snapshot=${NAME}`, `--version=${version}`, `--target-dir=${target}`, '-q'], opts);
    try {
      assert.deepEqual(await manifest(target), want, `version ${version} restores to the dataset it was taken from`);
    } finally {
      await removeAll(target);
    }
  };

  const backupNow = async (): Promise<{ id: string; ms: number }> => {
    const started = performance.now();
    const r = await runOk(['backup', `--path=${data}`, `--name=${NAME}`, '-q'], opts);
    const id = r.stdout.trim();
    assert.match(id, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    return { id, ms: performance.now() - started };
  };

  try {
    const ds = new Dataset(data, seed);
    await ds.create();
    const baseManifest = await manifest(data);
    const totalBytes = Object.values(baseManifest).reduce((s, v) => s + (v.startsWith('file ') ? Number(v.split(' ')[2]) : 0), 0);
    t.diagnostic(`dataset: ${Object.keys(baseManifest).length} entries, ${(totalBytes / MiB).toFixed(1)} MiB`);
    assert.ok(totalBytes > 30 * MiB && totalBytes < 70 * MiB, `dataset is ${totalBytes} bytes`);

    const created = await runOk(['backup', `--path=${data}`, `--name=${NAME}`, '--encrypt', '-q'], opts);
    const baseVersion = created.stdout.trim();
    expected.set(baseVersion, baseManifest);

    // One normal incremental run, timed, to pick the range of kill delays.
    await ds.modify(0);
    const measuredManifest = await manifest(data);
    const measured = await backupNow();
    expected.set(measured.id, measuredManifest);
    const maxDelay = Math.max(300, Math.round(measured.ms));
    t.diagnostic(`a normal incremental backup takes ${Math.round(measured.ms)} ms; kill delays in [50, ${maxDelay}] ms`);

    let completedBeforeKill = 0;
    let killedMidFlight = 0;
    let fromKilledRuns = 0;
    // Versions still to restore and compare: done in the next round, alongside its verify.
    let toRestore: [string, Record<string, string>][] = [[measured.id, measuredManifest]];
    for (let round = 1; round <= ROUNDS; round++) {
      await ds.modify(round);
      const state = await manifest(data);
      const before = [...expected.keys()];

      const how = trigger(round);
      const delay = ds.delay(round, 50, maxDelay);
      const watcher = how === 'delay' ? undefined : firstNewObject(path.join(root, how === 'pack' ? 'packs' : 'index'), how === 'pack');
      const started = performance.now();
      const child = spawnDvom(['backup', `--path=${data}`, `--name=${NAME}`, '-q'], opts);
      const done = collect(child, 60_000);
      let exited = false;
      void done.then(
        () => (exited = true),
        () => undefined,
      );
      // A triggered round falls back to a late delay if its object never shows up.
      const timer = new AbortController();
      const wait = sleep(watcher ? maxDelay * 3 : delay, undefined, { signal: timer.signal }).catch(() => undefined);
      await Promise.race([wait, done, ...(watcher ? [watcher.appeared] : [])]);
      timer.abort();
      watcher?.close();
      const killedAt = Math.round(performance.now() - started);
      if (!exited) child.kill('SIGKILL');
      const killed: RunResult = await done;

      const leftLocks = await listFiles(locksDir);
      const ranToEnd = killed.code === 0;
      if (ranToEnd) completedBeforeKill++;
      else {
        assert.equal(killed.signal, 'SIGKILL', `killed run ended on its own with ${killed.code}: ${killed.stderr}`);
        if (leftLocks.length) killedMidFlight++;
      }

      const after = await versionFiles();
      const added = after.filter((v) => !before.includes(v));
      assert.deepEqual(before.filter((v) => !after.includes(v)), [], 'no version disappeared');
      assert.ok(added.length <= 1, `a killed run adds at most one version, got ${added.join(', ')}`);
      if (ranToEnd) assert.deepEqual(added, [killed.stdout.trim()], 'a run that finished left its version');
      for (const v of added) expected.set(v, state);
      fromKilledRuns += added.length;

      // The dead process's lock is stale: the next commands must just work. Odd
      // rounds first take shared locks (verify, and restores of the previous
      // round's versions, side by side), even rounds an exclusive one (backup).
      const checks = () =>
        Promise.all([runDvom(['verify', NAME, '--read-data'], opts), ...toRestore.map(([v, want]) => restoresTo(v, want))]);
      let verify: RunResult;
      let normal: { id: string };
      if (round % 2) {
        [verify] = await checks();
        normal = await backupNow();
      } else {
        normal = await backupNow();
        [verify] = await checks();
      }
      expected.set(normal.id, state);
      assert.equal(verify.code, 0, `round ${round}: verify after kill at ${killedAt} ms failed:\n${verify.stdout}${verify.stderr}`);
      assert.match(verify.stdout, /is intact/);
      // A run killed while writing its lock can leave the local store's temporary file ('.tmp-…'): that is no
      // lock (store listings skip it, and prune sweeps such files from the whole backup once they are old).
      const locksLeft = (await listFiles(locksDir)).filter((f) => !path.basename(f).startsWith('.tmp-'));
      assert.deepEqual(locksLeft, [], 'the stale lock was cleared and no lock is left');
      const notes = verify.stderr.split('\n').filter((l) => l.startsWith('Note:'));
      t.diagnostic(
        `round ${round}: kill ${how === 'delay' ? '' : `on first new ${how} `}at ${killedAt} ms: ${ranToEnd ? 'finished first' : 'killed'}; ` +
          `lock left: ${leftLocks.length}; new version: ${added.length ? 'yes' : 'no'}; ${notes.join(' ') || 'no notes'}`,
      );
      toRestore = [normal.id, ...added].map((v) => [v, state]);
    }
    t.diagnostic(`${killedMidFlight} kills left a lock behind (mid-backup); ${completedBeforeKill} runs finished before the kill`);
    assert.ok(killedMidFlight >= 1, 'at least one kill hit a backup in flight (otherwise the test proves nothing)');

    const versions = (await listVersions()).sort();
    // Base + measured run + one completed backup per round, plus the killed runs that got to commit.
    assert.equal(versions.length, 2 + ROUNDS + fromKilledRuns);
    assert.ok(fromKilledRuns >= completedBeforeKill && fromKilledRuns <= ROUNDS);
    assert.deepEqual(versions, [...expected.keys()].sort(), 'every version is accounted for');

    // The killed runs' packs are old by now (no writer is alive): prune spares only packs younger than the lock timeout.
    const packsDir = path.join(root, 'packs');
    const longAgo = new Date(Date.now() - 3600_000);
    for (const p of await listFiles(packsDir)) await fs.utimes(path.join(packsDir, p), longAgo, longAgo);
    const pruned = await runOk(['prune', NAME], opts);
    assert.match(pruned.stdout, /^Pruned backup 'crashy': \d+ packs deleted/);
    const finalVerify = await runOk(['verify', NAME, '--read-data'], opts);
    assert.match(finalVerify.stdout, new RegExp(`is intact: ${versions.length} versions`));
    assert.doesNotMatch(finalVerify.stderr, /Note:/, 'prune removed every unreferenced pack');
    assert.deepEqual((await listVersions()).sort(), versions, 'prune removed no version');
    // The base version (and the last round's) still restore after prune.
    await Promise.all([restoresTo(baseVersion, baseManifest), ...toRestore.map(([v, want]) => restoresTo(v, want))]);
  } finally {
    await removeAll(store, data, work);
  }
});
