/**
 * Fixtures for the end-to-end tests against a real Docker engine: detect the
 * engine (tests are skipped, with the reason, when none answers), build a tiny
 * busybox image without pulling anything, create uniquely named volumes and
 * containers and always remove them, run `dvom` as a child process, and take
 * exact snapshots of a volume's contents from inside a container.
 *
 * The docker test files take a cross-process lock for their whole run: they
 * share one engine, and `assertNoLeftovers()` looks at every DVOM helper and
 * temporary volume on it, which only means something when no other DVOM run
 * of this suite is busy at the same time.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { acquireFileLock, collectOutput } from '../support/processes.ts';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DVOM = path.join(REPO_ROOT, 'src', 'main', 'cli', 'dvom.ts');
/** Built once and kept (idempotent); bump the tag whenever APPLETS or the rootfs change. */
export const BUSYBOX_IMAGE = 'dvom-test-busybox:1';
/** Where runInVolume / snapshotVolume mount the volume. */
export const DATA = '/data';
export const PASSWORD = 'correct horse battery staple';

const HELPER_LABEL = 'io.dvom.helper';
const TEMPORARY_LABEL = 'io.dvom.temporary';
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];
const APPLETS = [
  'sh', 'sleep', 'ls', 'stat', 'find', 'cat', 'sort', 'chmod', 'chown', 'ln', 'mkdir', 'touch', 'head', 'rm', 'sync',
  'sha256sum', 'dd', 'readlink', 'printf', 'echo', 'xargs', 'mv', 'cp', 'true', 'wc', 'tr',
];
/** Variables of the developer's shell that must not leak into the dvom under test. */
const DVOM_VARS = ['DVOM_PASSWORD', 'DVOM_NEW_PASSWORD', 'DVOM_KEY', 'DVOM_DEBUG', 'DVOM_BACKUP_DIR', 'DVOM_SCRYPT_N', 'DVOM_CONFIG'];

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion without a shell; never throws for a non-zero exit. */
export function exec(file: string, args: string[], options: { input?: Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
        if (e && typeof e.code === 'string') return reject(err); // spawn failure (ENOENT…)
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
    if (options.input) child.stdin?.end(options.input);
  });
}

/** Runs `docker ARGS` and returns stdout; throws with the engine's message on failure. */
export async function docker(...args: string[]): Promise<string> {
  const r = await exec('docker', args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
  return r.stdout;
}

async function findBusybox(): Promise<string | undefined> {
  for (const p of BUSYBOX_CANDIDATES) {
    if (await fs.access(p).then(() => true, () => false)) return p;
  }
  return undefined;
}

let skipReason: Promise<string | undefined> | undefined;

/**
 * Why the docker tests cannot run here, or undefined if they can. With
 * DVOM_REQUIRE_DOCKER=1 (for CI) a missing engine is an error instead of a skip.
 */
export function dockerSkipReason(): Promise<string | undefined> {
  skipReason ??= (async () => {
    let reason: string | undefined;
    const info = await exec('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 }).catch(
      (err: NodeJS.ErrnoException) => ({ code: -1, signal: null, stdout: '', stderr: `the docker CLI cannot be run (${err.code ?? err.message})` }),
    );
    if (info.code !== 0) {
      const why = info.stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${info.code ?? info.signal}`;
      reason =
        `no Docker engine answers (\`docker info\` failed: ${why}). These end-to-end tests need a running engine: ` +
        'start one (`sudo systemctl start docker` or `sudo dockerd --bridge=none --iptables=false`) and check DOCKER_HOST';
    } else if (!(await findBusybox())) {
      reason = `no static busybox at ${BUSYBOX_CANDIDATES.join(' or ')} to build the test image from (install busybox-static)`;
    }
    if (reason && process.env.DVOM_REQUIRE_DOCKER === '1') throw new Error(`DVOM_REQUIRE_DOCKER=1 but ${reason}`);
    return reason;
  })();
  return skipReason;
}

/**
 * A describe() that runs only with a Docker engine. Without one it reports a
 * single skipped test carrying the reason, so summaries count the skip.
 */
export async function describeWithDocker(name: string, fn: () => void): Promise<void> {
  const skip = await dockerSkipReason();
  if (skip) it(name, { skip }, () => undefined);
  else void describe(name, fn);
}

/** Imports the busybox test image once (idempotent; nothing is pulled). */
export async function ensureBusyboxImage(): Promise<void> {
  const have = await exec('docker', ['image', 'inspect', BUSYBOX_IMAGE]);
  if (have.code === 0) return;
  const busybox = await findBusybox();
  if (!busybox) throw new Error('busybox not found');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'dvomtest-rootfs-'));
  try {
    await fs.mkdir(path.join(root, 'bin'));
    await fs.mkdir(path.join(root, 'tmp'), { mode: 0o1777 });
    await fs.chmod(path.join(root, 'tmp'), 0o1777);
    await fs.copyFile(busybox, path.join(root, 'bin', 'busybox'));
    await fs.chmod(path.join(root, 'bin', 'busybox'), 0o755);
    for (const applet of APPLETS) await fs.symlink('busybox', path.join(root, 'bin', applet));
    const tar = await new Promise<Buffer>((resolve, reject) => {
      execFile('tar', ['-c', '-C', root, '.'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, out) =>
        err ? reject(err) : resolve(out),
      );
    });
    const r = await exec('docker', ['import', '-', BUSYBOX_IMAGE], { input: tar });
    if (r.code !== 0) throw new Error(`docker import failed: ${r.stderr}`);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Cross-process lock: one docker test file at a time.

const LOCK_FILE = path.join(os.tmpdir(), 'dvom-docker-e2e.lock');

/** The docker test suites' lock (test/api takes it too); resolves with its release. */
export const acquireDockerLock = (timeoutMs?: number) => acquireFileLock(LOCK_FILE, timeoutMs);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------
// dvom as a child process

export interface DvomOptions {
  /** Extra environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface ContainerState {
  running: boolean;
  status: string;
  startedAt: number;
  finishedAt: number;
}

/** Parses a Docker timestamp (nanosecond precision) to epoch ms; 0 for Docker's "zero time". */
export function dockerTime(s: string): number {
  const ms = Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) || ms < 0 ? 0 : ms;
}

export interface Fixture {
  /** Unique prefix of everything this file creates on the engine. */
  readonly prefix: string;
  /** The store (DVOM_BACKUP_DIR) of this test file. */
  readonly store: string;
  /** A unique name (not created): `<prefix>-<label>`. Anything so named is removed in after(). */
  name(label: string): string;
  /** Creates an empty volume with a unique name. */
  volume(label: string): Promise<string>;
  /** Runs a shell script in a throwaway busybox container with `volume` mounted at /data; fails on non-zero exit. */
  runInVolume(volume: string, script: string): Promise<string>;
  /** Starts a long-running busybox container that mounts `volume`; returns its name. */
  startContainer(label: string, volume: string): Promise<string>;
  /** Creates (never starts) a busybox container that mounts `volume`; returns its name. */
  createContainer(label: string, volume: string): Promise<string>;
  inspect(container: string): Promise<ContainerState>;
  dvom(args: string[], options?: DvomOptions): Promise<ExecResult>;
  /** Runs dvom and fails with its output unless it exits with `expected` (default 0). */
  dvomOk(args: string[], options?: DvomOptions, expected?: number): Promise<ExecResult>;
  spawnDvom(args: string[], options?: DvomOptions): ChildProcess;
}

export function dvomEnv(store: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of DVOM_VARS) delete env[v];
  env.DVOM_BACKUP_DIR = store;
  env.DVOM_SCRYPT_N = '1024';
  env.DVOM_PASSWORD = PASSWORD;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Collects a child's output and exit status (SIGKILLs it after `timeoutMs`). */
export function collect(child: ChildProcess, timeoutMs = 120_000): Promise<ExecResult> {
  return collectOutput(child, timeoutMs);
}

/**
 * Registers before/after hooks for a docker test file (call inside the
 * top-level describe): takes the lock, builds the image, makes a store, and
 * afterwards removes every container and volume named with this file's prefix
 * and the store, whether the tests passed or not.
 */
export function useDockerFixture(): Fixture {
  const prefix = `dvomtest-${randomBytes(4).toString('hex')}`;
  let root = '';
  let store = '';
  let release: (() => Promise<void>) | undefined;
  let counter = 0;

  before(async () => {
    release = await acquireDockerLock();
    await ensureBusyboxImage();
    root = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
    store = path.join(root, 'store');
    await fs.mkdir(store);
    await baseline();
  });

  after(async () => {
    try {
      await removeByPrefix(prefix);
      if (root) await fs.rm(root, { recursive: true, force: true });
    } finally {
      await release?.();
    }
  });

  const name = (label: string) => `${prefix}-${label}-${++counter}`;
  const run = async (args: string[], options: DvomOptions = {}) => collect(fx.spawnDvom(args, options), options.timeoutMs);

  const fx: Fixture = {
    prefix,
    get store() {
      return store;
    },
    name,
    async volume(label) {
      const v = name(label);
      await docker('volume', 'create', v);
      return v;
    },
    async runInVolume(volume, script) {
      return docker('run', '--rm', '--network', 'none', '-v', `${volume}:${DATA}`, BUSYBOX_IMAGE, 'sh', '-c', script);
    },
    async startContainer(label, volume) {
      const c = name(label);
      // A shell as PID 1 that exits on SIGTERM, so `docker stop` is quick (a bare
      // `sleep` as PID 1 ignores SIGTERM and would be killed only after the stop timeout).
      await docker(
        'run', '-d', '--name', c, '--network', 'none', '--stop-timeout', '3', '-v', `${volume}:${DATA}`, BUSYBOX_IMAGE,
        'sh', '-c', 'trap "exit 0" TERM INT; sleep 3600 & wait',
      );
      return c;
    },
    async createContainer(label, volume) {
      const c = name(label);
      await docker('create', '--name', c, '--network', 'none', '-v', `${volume}:${DATA}`, BUSYBOX_IMAGE, 'sleep', '3600');
      return c;
    },
    async inspect(container) {
      const s = JSON.parse(await docker('inspect', '--format', '{{json .State}}', container)) as {
        Running: boolean;
        Status: string;
        StartedAt: string;
        FinishedAt: string;
      };
      return { running: s.Running, status: s.Status, startedAt: dockerTime(s.StartedAt), finishedAt: dockerTime(s.FinishedAt) };
    },
    dvom: run,
    async dvomOk(args, options = {}, expected = 0) {
      const r = await run(args, options);
      if (r.code !== expected) {
        throw new Error(`dvom ${args.join(' ')} exited ${r.code ?? r.signal}, expected ${expected}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      }
      return r;
    },
    spawnDvom(args, options = {}) {
      return spawn(process.execPath, [DVOM, ...args], {
        cwd: REPO_ROOT,
        // A config file that does not exist: a developer's own config (default target…) must not apply.
        env: dvomEnv(store, { DVOM_CONFIG: path.join(root, 'config.json'), ...options.env }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
  };
  return fx;
}

/** Removes every container and volume whose name contains `prefix`. */
export async function removeByPrefix(prefix: string): Promise<void> {
  const containers = (await docker('ps', '-aq', '--filter', `name=${prefix}`)).split('\n').filter(Boolean);
  if (containers.length) await exec('docker', ['rm', '-f', ...containers]);
  const volumes = (await docker('volume', 'ls', '-q', '--filter', `name=${prefix}`)).split('\n').filter(Boolean);
  if (volumes.length) await exec('docker', ['volume', 'rm', '-f', ...volumes]);
}

// ---------------------------------------------------------------------------
// Leftovers

/** DVOM helpers / temporary volumes that existed before this file started (someone else's); not ours to judge. */
let preexisting = new Set<string>();

/** DVOM helper containers and temporary volumes on the engine ("container NAME" / "volume NAME"). */
export async function dvomLeftovers(): Promise<string[]> {
  const helpers = (await docker('ps', '-a', '--filter', `label=${HELPER_LABEL}`, '--format', 'container {{.Names}}')).split('\n');
  const temps = (await docker('volume', 'ls', '--filter', `label=${TEMPORARY_LABEL}`, '--format', 'volume {{.Name}}')).split('\n');
  return [...helpers, ...temps].filter(Boolean);
}

async function baseline(): Promise<void> {
  preexisting = new Set(await dvomLeftovers());
}

/** Fails if any DVOM helper container or temporary volume is left on the engine. */
export async function assertNoLeftovers(): Promise<void> {
  const left = (await dvomLeftovers()).filter((l) => !preexisting.has(l));
  assert.deepEqual(left, [], `DVOM left helper containers / temporary volumes on the engine: ${left.join(', ')}`);
}

// ---------------------------------------------------------------------------
// Exact snapshots of a volume

/**
 * Lists every path in `volume` (its root as '.') from inside a container:
 * type, permission bits incl. setuid/setgid/sticky, uid:gid, size (files and
 * symlinks), mtime in seconds, link count, SHA-256 of file content, symlink
 * target, and for hard-linked files the first path of their inode group.
 * Two volumes with equal snapshots hold the same tree for every purpose the
 * tests care about.
 */
export async function snapshotVolume(volume: string): Promise<Record<string, string>> {
  const script = [
    `cd ${DATA} || exit 1`,
    `find . -exec stat -c 'S|%f|%u:%g|%s|%Y|%h|%i|%n' {} +`,
    `find . -type f -exec sha256sum {} +`,
    `find . -type l | while IFS= read -r p; do printf 'L|%s|%s\\n' "$p" "$(readlink "$p")"; done`,
  ].join('\n');
  const out = await docker('run', '--rm', '--network', 'none', '-v', `${volume}:${DATA}:ro`, BUSYBOX_IMAGE, 'sh', '-c', script);
  const rel = (p: string) => (p === '.' ? '.' : p.replace(/^\.\//, ''));
  interface Facts {
    type: string;
    mode: string;
    owner: string;
    size: string;
    mtime: string;
    nlink: string;
    inode: string;
    sha256?: string;
    target?: string;
  }
  const facts = new Map<string, Facts>();
  const TYPES: Record<number, string> = {
    0o100000: 'file',
    0o040000: 'dir',
    0o120000: 'symlink',
    0o010000: 'fifo',
    0o020000: 'char-device',
    0o060000: 'block-device',
    0o140000: 'socket',
  };
  for (const line of out.split('\n')) {
    if (line.startsWith('S|')) {
      const parts = line.split('|');
      const [, rawMode, owner, size, mtime, nlink, inode] = parts;
      const mode = parseInt(rawMode!, 16);
      const type = TYPES[mode & 0o170000] ?? `other(${(mode & 0o170000).toString(8)})`;
      facts.set(rel(parts.slice(7).join('|')), {
        type,
        mode: (mode & 0o7777).toString(8).padStart(4, '0'),
        owner: owner!,
        size: size!,
        mtime: mtime!,
        nlink: nlink!,
        inode: inode!,
      });
    } else if (/^[0-9a-f]{64} {2}/.test(line)) {
      const f = facts.get(rel(line.slice(66)));
      assert.ok(f, `sha256sum of an unlisted path: ${line}`);
      f.sha256 = line.slice(0, 64);
    } else if (line.startsWith('L|')) {
      const rest = line.slice(2);
      const cut = rest.indexOf('|');
      const f = facts.get(rel(rest.slice(0, cut)));
      assert.ok(f, `symlink not listed: ${line}`);
      f.target = rest.slice(cut + 1);
    } else if (line.trim()) {
      assert.fail(`unexpected snapshot line: ${line}`);
    }
  }
  // Inode numbers differ between volumes; what must match is which paths share one.
  const groups = new Map<string, string>();
  for (const [p, f] of [...facts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (f.type !== 'dir' && Number(f.nlink) > 1 && !groups.has(f.inode)) groups.set(f.inode, p);
  }
  const snapshot: Record<string, string> = {};
  for (const p of [...facts.keys()].sort()) {
    const f = facts.get(p)!;
    const parts = [f.type, f.mode, f.owner];
    // Directory sizes depend on the file system's history, not on the contents.
    if (f.type !== 'dir') parts.push(`size=${f.size}`);
    parts.push(`mtime=${f.mtime}`, `nlink=${f.nlink}`);
    if (f.sha256) parts.push(`sha256=${f.sha256}`);
    if (f.target !== undefined) parts.push(`-> ${f.target}`);
    if (f.type !== 'dir' && Number(f.nlink) > 1) parts.push(`inode-of=${groups.get(f.inode)}`);
    snapshot[p] = parts.join(' ');
  }
  return snapshot;
}

// ---------------------------------------------------------------------------
// Backup store helpers

/** Every pack file of a backup in the store. */
export async function packFiles(store: string, backup: string): Promise<{ file: string; size: number }[]> {
  const root = path.join(store, 'backups', backup, 'packs');
  const out: { file: string; size: number }[] = [];
  for (const dir of await fs.readdir(root)) {
    for (const f of await fs.readdir(path.join(root, dir))) {
      const file = path.join(root, dir, f);
      out.push({ file, size: (await fs.stat(file)).size });
    }
  }
  return out;
}

/** Flips every bit of the byte in the middle of `file`. */
export async function flipMiddleByte(file: string): Promise<void> {
  const fh = await fs.open(file, 'r+');
  try {
    const { size } = await fh.stat();
    const at = Math.floor(size / 2);
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
}

export interface VersionJson {
  id: string;
  createdAt: string;
  volumes: string[];
  stats: { files: number; bytes: number; addedBytes: number; addedStoredBytes: number };
}

export async function versionsOf(fx: Fixture, backup: string): Promise<VersionJson[]> {
  const r = await fx.dvomOk(['versions', backup, '--json']);
  return JSON.parse(r.stdout) as VersionJson[];
}

/**
 * Fills a volume with every kind of entry DVOM must bring back exactly:
 * nested and empty folders, files from 0 bytes to a few MiB of random data,
 * relative / absolute / dangling symlinks, a hard link, modes 0600, 0755,
 * 4755 (setuid) and a 1777 (sticky) folder, owners 1000:1000 and 33:33, old
 * mtimes, a Unicode file name, and a volume root with its own mode, owner and
 * mtime; also a setgid folder, ids above 65535, a FIFO, and a path and a
 * symlink target too long for a plain tar header (PAX records).
 * `randomKiB` sizes the biggest random file.
 *
 * The hard link is deliberately NOT to a setuid file: when Docker's own
 * archive extraction (PUT /containers/{id}/archive) creates a hard link it
 * chowns the path, and chown clears the setuid bit of the shared inode, so a
 * setuid file that has hard links loses its setuid bit on any restore through
 * the engine. That is a known limitation of the engine, not of DVOM.
 */
export async function fillRichVolume(fx: Fixture, volume: string, randomKiB = 3 * 1024): Promise<void> {
  await fx.runInVolume(
    volume,
    [
      'set -e',
      `cd ${DATA}`,
      'mkdir -p dir1/dir2/dir3 empty-dir sticky setuid setgid',
      "printf 'hello, dvom\\n' > hello.txt",
      ': > empty.bin',
      `dd if=/dev/urandom of=dir1/random.bin bs=1024 count=${randomKiB} 2>/dev/null`,
      'dd if=/dev/urandom of=dir1/dir2/one-mib.bin bs=1024 count=1024 2>/dev/null',
      'head -c 70001 /dev/urandom > dir1/dir2/dir3/odd-size.bin',
      'head -c 777 /dev/urandom > dir1/small.bin',
      "printf 'secret\\n' > secret.txt",
      "printf '#!/bin/sh\\necho hi\\n' > script.sh",
      "printf 'setuid\\n' > setuid/tool",
      "printf 'unicode\\n' > 'ünïcødé ファイル файл.txt'",
      'ln -s hello.txt rel-link',
      'ln -s ../hello.txt dir1/up-link',
      `ln -s ${DATA}/hello.txt abs-link`,
      'ln -s does/not/exist dangling-link',
      'ln dir1/dir2/one-mib.bin hard-link.bin',
      `mkdir -p long/${'d'.repeat(120)}/${'e'.repeat(150)}`,
      `printf 'deep\\n' > long/${'d'.repeat(120)}/${'e'.repeat(150)}/${'f'.repeat(200)}.txt`,
      `ln -s ${'t'.repeat(180)}/target long/long-target-link`,
      'printf big-ids > big-ids.txt && chown 100000:200000 big-ids.txt',
      'busybox mkfifo fifo',
      'chown -R 1000:1000 dir1 setuid',
      'chown -h 1000:1000 rel-link',
      'chown 33:33 secret.txt',
      'chmod 0600 secret.txt',
      'chmod 0755 script.sh',
      'chmod 4755 setuid/tool', // after chown: chown clears setuid
      'chmod 1777 sticky',
      'chmod 2775 setgid',
      'touch -d @1234567890 hello.txt secret.txt dir1/random.bin',
      'touch -d @1000000000 dir1/dir2/one-mib.bin',
      'touch -h -d @1234567000 rel-link abs-link dangling-link dir1/up-link',
      // Folders last (creating entries touches their parents), the deepest first.
      'find . -depth -type d -exec touch -d @1300000000 {} +',
      'touch -d @1400000000 dir1/dir2',
      'chown 1000:1000 .',
      'chmod 0750 .',
      'touch -d @1500000000 .',
      'sync',
    ].join('\n'),
  );
}
