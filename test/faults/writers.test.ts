/**
 * Writers on one S3 backup, each a real `dvom` process acting as its own
 * host (a private UTS namespace with its own hostname, its own config folder):
 * two backing up at once, one paused (SIGSTOP) past the lock timeout while a
 * prune runs elsewhere, and two whose clocks are 10 minutes apart (libfaketime).
 * A writer is held at a chosen request by the fault proxy, so the overlaps are
 * certain, not timed. Afterwards verify --read-data is clean and every version
 * restores as taken.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { prune, Repository } from '../../src/main/engine/index.ts';
import { DVOM, REPO_ROOT } from '../cli/run-dvom.ts';
import { password, snapshotTree } from '../engine/helpers.ts';
import { SKIP_REASON, s3TestEnv, useS3TestFile } from '../s3/s3-fixtures.ts';
import { FaultProxy, type FaultRule } from '../support/fault-proxy.ts';
import { collectOutput, type CollectedOutput } from '../support/processes.ts';
import { assertIntact, type Expected } from './fault-fixtures.ts';

const env = s3TestEnv();
const NAME = 'shared';
const PASSWORD = 'two hosts password';
/** The shortened lock timeout (DVOM_TEST_LOCK_TIMEOUT_MS) of the paused-writer test. */
const SHORT_TIMEOUT_MS = 2000;
const CHILD_TIMEOUT_MS = 60_000;

const canUnshare = spawnSync('unshare', ['--uts', 'true']).status === 0;
const hasFaketime = spawnSync('faketime', ['-f', '+0', 'true']).status === 0;
const skip = !env ? SKIP_REASON : !canUnshare ? 'unshare --uts is not permitted here (run as root)' : false;
const skewSkip = skip || (hasFaketime ? false : 'faketime is not installed (apt-get install faketime)');

const fixture = useS3TestFile(env, 'writers');

interface HostOptions {
  /** Send this host's requests through the fault proxy. */
  viaProxy?: boolean;
  /** libfaketime offset, e.g. '+10m'. */
  clock?: string;
  env?: Record<string, string>;
}

interface Host {
  name: string;
  source: string;
  /** Starts `dvom ARGS` as this host. */
  start(args: string[], options?: HostOptions): { child: ChildProcess; done: Promise<CollectedOutput> };
  /** Runs a backup of its source; resolves with the child's result. */
  backup(options?: HostOptions): { child: ChildProcess; done: Promise<CollectedOutput> };
}

let proxy: FaultProxy;
const expected: Expected = new Map();
const cleanups: string[] = [];

function makeHost(name: string): Host {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `dvom-fault-${name}-`));
  cleanups.push(home);
  const source = path.join(home, 'source');
  fs.mkdirSync(source);
  const childEnv = (options: HostOptions): NodeJS.ProcessEnv => {
    const out: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(DVOM_|AWS_|FAKETIME)/.test(k)) out[k] = v;
    Object.assign(out, {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      DVOM_CONFIG: path.join(home, '.config', 'dvom', 'config.json'),
      DVOM_SCRYPT_N: '1024',
      DVOM_PASSWORD: PASSWORD,
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
      AWS_ACCESS_KEY_ID: env!.accessKey,
      AWS_SECRET_ACCESS_KEY: env!.secretKey,
      AWS_CONFIG_FILE: path.join(home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(os.tmpdir(), 'dvom-test-compile-cache'),
      ...(options.clock ? { FAKETIME_DONT_FAKE_MONOTONIC: '1' } : {}),
      ...options.env,
    });
    return out;
  };
  const start = (args: string[], options: HostOptions = {}) => {
    const s3 = [
      '--storage=s3',
      `--s3-bucket=${fixture.bucket.name}`,
      `--s3-endpoint=${options.viaProxy ? proxy.endpoint : env!.endpoint}`,
      '--s3-path-style',
    ];
    const clock = options.clock ? ['faketime', '-f', options.clock] : [];
    // A private UTS namespace: this process is host `name` (the lock records the hostname).
    const argv = ['--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', name, ...clock, process.execPath, DVOM, ...args, ...s3];
    const child = spawn('unshare', argv, { cwd: REPO_ROOT, env: childEnv(options), stdio: ['ignore', 'pipe', 'pipe'] });
    return { child, done: collectOutput(child, CHILD_TIMEOUT_MS, `dvom ${args[0]} on ${name}`) };
  };
  return {
    name,
    source,
    start,
    backup(options = {}) {
      return start(['backup', `--path=${source}`, `--name=${NAME}`, '--quiet'], options);
    },
  };
}

/** Adds a file to the host's source and snapshots it (what its next version must restore to). */
async function change(host: Host, bytes = 200 * 1024): Promise<Awaited<ReturnType<typeof snapshotTree>>> {
  fs.writeFileSync(path.join(host.source, `${host.name}-${randomBytes(4).toString('hex')}.bin`), randomBytes(bytes));
  return snapshotTree(host.source);
}

/** A successful backup's version id (printed on stdout). */
function versionOf(r: CollectedOutput): string {
  assert.equal(r.code, 0, `backup failed: ${r.stderr}`);
  const id = r.stdout.trim();
  assert.match(id, /^\S+$/);
  return id;
}

function assertLocked(r: CollectedOutput, by: string): void {
  assert.equal(r.code, 1, `expected LOCKED (exit 1): ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^Error: backup '${NAME}' is in use by 'backup' on ${by} `, 'm'));
}

async function openRepo(): Promise<Repository> {
  return Repository.open(fixture.bucket.backend(), NAME, password(PASSWORD));
}

async function lockKeys(): Promise<string[]> {
  return fixture.bucket.keys(`backups/${NAME}/locks/`);
}

/** A rule that holds `host`'s first request matching `path` until `release` resolves (after `onHold`). */
function holdAt(pathPattern: RegExp, onHold: () => Promise<void>): FaultRule {
  return { method: 'PUT', path: pathPattern, fault: { kind: 'hook', run: onHold } };
}

describe('writers on one S3 backup', () => {
  let a: Host;
  let b: Host;
  let scratch: string;

  before(async () => {
    if (skip) return;
    proxy = await FaultProxy.start(env!.endpoint);
    a = makeHost('host-a');
    b = makeHost('host-b');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-fault-writers-'));
    cleanups.push(scratch);
    const snap = await change(a);
    const first = await a.start(['backup', `--path=${a.source}`, `--name=${NAME}`, '--encrypt', '--quiet']).done;
    expected.set(versionOf(first), snap);
  });

  after(async () => {
    await proxy?.stop();
    for (const dir of cleanups) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('two hosts at once: the second gets LOCKED while the first holds the backup; both end with intact versions', { skip, timeout: 90_000 }, async () => {
    const snapA = await change(a);
    const snapB = await change(b);
    let bResult: CollectedOutput | undefined;
    // Host A stops at its first pack upload until host B has tried its own backup.
    proxy.script([holdAt(/\/packs\//, async () => {
      bResult = await b.backup().done;
    })]);
    const ra = await a.backup({ viaProxy: true }).done;
    proxy.heal();
    assert.ok(bResult, 'host B ran while host A held the backup');
    assertLocked(bResult, 'host-a');
    expected.set(versionOf(ra), snapA);
    // The next run of host B works.
    expected.set(versionOf(await b.backup().done), snapB);
    assert.deepEqual(await lockKeys(), []);
    await assertIntact(await openRepo(), expected, scratch, { restore: false });
  });

  test('two hosts started together: each either succeeds or gets LOCKED, and a LOCKED one succeeds when run again', { skip, timeout: 90_000 }, async () => {
    const snapA = await change(a);
    const snapB = await change(b);
    const [ra, rb] = await Promise.all([a.backup().done, b.backup().done]);
    for (const [host, r, snap, other] of [[a, ra, snapA, 'host-b'], [b, rb, snapB, 'host-a']] as const) {
      if (r.code === 0) expected.set(versionOf(r), snap);
      else {
        assertLocked(r, other);
        expected.set(versionOf(await host.backup().done), snap);
      }
    }
    assert.deepEqual(await lockKeys(), []);
    await assertIntact(await openRepo(), expected, scratch, { restore: false });
  });

  test('a writer paused past the lock timeout while prune runs elsewhere stops with LOCK_LOST and writes no version', { skip, timeout: 90_000 }, async () => {
    process.env.DVOM_TEST_LOCK_TIMEOUT_MS = String(SHORT_TIMEOUT_MS);
    try {
      await change(a, 300 * 1024);
      const indexesBefore = await fixture.bucket.keys(`backups/${NAME}/index/`);
      let pruned: Awaited<ReturnType<typeof prune>> | undefined;
      // Scripted in the same tick: the child needs far longer to start than this.
      const run = a.backup({ viaProxy: true, env: { DVOM_TEST_LOCK_TIMEOUT_MS: String(SHORT_TIMEOUT_MS) } });
      const writer = run.child;
      // The writer has uploaded its packs and checked its lock; it is stopped as its index goes out.
      proxy.script([holdAt(/\/index\//, async () => {
        writer.kill('SIGSTOP');
        try {
          // Past the timeout: its lock and its unindexed packs are now fair game for another host.
          await new Promise((resolve) => setTimeout(resolve, SHORT_TIMEOUT_MS * 2));
          pruned = await prune(await openRepo());
        } finally {
          writer.kill('SIGCONT');
        }
      })]);
      const r = await run.done;
      proxy.heal();
      assert.ok(pruned, 'prune ran while the writer was stopped');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^Error: the lock on backup 'shared' was lost \((it was removed from the store|it was not refreshed for longer)/m);
      assert.ok(pruned.packsDeleted >= 1, `prune removed the stopped writer's unindexed packs: ${JSON.stringify(pruned)}`);
      assert.deepEqual(await fixture.bucket.keys(`backups/${NAME}/index/`).then((k) => k.filter((x) => !indexesBefore.includes(x)).length), 1,
        "only prune's new index is left: the writer removed the index it wrote after losing its lock");
      assert.deepEqual(await lockKeys(), []);
      // No version from the writer; every earlier one is whole and restores.
      await assertIntact(await openRepo(), expected, scratch);
      // The next run of the writer works (and does not trust blobs of the deleted packs).
      const snap = await snapshotTree(a.source);
      expected.set(versionOf(await a.backup().done), snap);
      await assertIntact(await openRepo(), expected, scratch, { restore: false });
    } finally {
      delete process.env.DVOM_TEST_LOCK_TIMEOUT_MS;
    }
  });

  for (const skew of ['+10m', '-10m']) {
    test(`a writer whose clock is ${skew.replace('m', ' min')} off honours the other's lock (LOCKED), and is honoured`, { skip: skewSkip, timeout: 90_000 }, async () => {
      const snapA = await change(a);
      const snapB = await change(b);
      let bResult: CollectedOutput | undefined;
      proxy.script([holdAt(/\/packs\//, async () => {
        bResult = await b.backup({ clock: skew }).done;
      })]);
      const ra = await a.backup({ viaProxy: true }).done;
      proxy.heal();
      assert.ok(bResult);
      assertLocked(bResult, 'host-a');
      expected.set(versionOf(ra), snapA);
      // And the other way round: the skewed host holds, the other one is refused.
      const snapA2 = await change(a);
      let aResult: CollectedOutput | undefined;
      proxy.script([holdAt(/\/packs\//, async () => {
        aResult = await a.backup().done;
      })]);
      const rb = await b.backup({ viaProxy: true, clock: skew }).done;
      proxy.heal();
      assert.ok(aResult);
      assertLocked(aResult, 'host-b');
      expected.set(versionOf(rb), snapB);
      expected.set(versionOf(await a.backup().done), snapA2);
      assert.deepEqual(await lockKeys(), []);
      await assertIntact(await openRepo(), expected, scratch, { restore: false });
    });
  }
});
