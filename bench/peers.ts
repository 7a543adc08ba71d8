/**
 * The backup tools the peers section compares, each run as its user would:
 * one whole process per command, encrypted, default settings otherwise
 * (compression: DVOM zstd, restic "auto" (zstd), borg lz4), the password in
 * the environment. Each tool keeps its repository and its normal cache in a
 * folder of its own, so nothing one tool caches helps another.
 *
 *   dvom    dvom backup --path --encrypt / dvom restore --target-dir (DVOM_PASSWORD)
 *   restic  restic init; restic backup . / restic restore latest (RESTIC_PASSWORD, RESTIC_CACHE_DIR)
 *   borg    borg init -e repokey; borg create / borg extract (BORG_PASSPHRASE, BORG_BASE_DIR)
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { dvomCli, timeProcess, type ProcessRun } from './measure.ts';
import { runCli } from './operation.ts';
import type { WorkerResult } from './protocol.ts';

export const PASSWORD = 'bench';

export interface PeerTool {
  id: 'dvom' | 'restic' | 'borg';
  /** Its version, or undefined when it is not installed. */
  version(): Promise<string | undefined>;
  /** Makes an empty repository (not timed) in `dir`, a fresh folder. */
  init(dir: string): Promise<void>;
  backup(dir: string, source: string): Promise<ProcessRun>;
  /** Restores the latest backup into `target`, an empty folder. */
  restore(dir: string, target: string): Promise<ProcessRun>;
  /** The folder holding the repository inside `dir` (for stored bytes). */
  repository(dir: string): string;
}

const firstLine = async (cmd: string, args: string[]): Promise<string | undefined> => {
  try {
    const { stdout } = await promisify(execFile)(cmd, args);
    return stdout.trim().split('\n')[0];
  } catch {
    return undefined;
  }
};

const asProcessRun = (r: WorkerResult): ProcessRun => ({ seconds: r.opSeconds, cpuSeconds: r.cpuSeconds, peakRssKiB: r.processPeakRssKiB, stdout: '' });

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

const dvom: PeerTool = {
  id: 'dvom',
  // The engine is work in progress: the commit says which one was measured.
  version: async () => {
    const version = await firstLine(process.execPath, [dvomCli(), '--version']);
    const commit = await firstLine('git', ['-C', REPO_ROOT, 'describe', '--always', '--dirty']);
    return version && `${version}${commit ? ` (${commit})` : ''}`;
  },
  init: async () => undefined, // the first `dvom backup --encrypt` creates the backup
  repository: (dir) => path.join(dir, 'store'),
  // `create` matters to the worker only: the CLI creates the backup on first use.
  backup: async (dir, source) =>
    asProcessRun(await runCli({ op: 'backup', store: path.join(dir, 'store'), name: 'bench', encrypted: true, password: PASSWORD, source, create: false }, dir)),
  restore: async (dir, target) =>
    asProcessRun(await runCli({ op: 'restore', store: path.join(dir, 'store'), name: 'bench', encrypted: true, password: PASSWORD, target }, dir)),
};

const resticEnv = (dir: string): NodeJS.ProcessEnv => ({
  ...process.env,
  RESTIC_REPOSITORY: path.join(dir, 'repo'),
  RESTIC_PASSWORD: PASSWORD,
  RESTIC_CACHE_DIR: path.join(dir, 'cache'),
});

const restic: PeerTool = {
  id: 'restic',
  version: () => firstLine('restic', ['version']),
  init: async (dir) => void (await timeProcess('restic', ['init', '--quiet'], { env: resticEnv(dir) })),
  repository: (dir) => path.join(dir, 'repo'),
  // `.` from inside the source: restic stores the files at the snapshot's root, as borg and dvom do.
  backup: (dir, source) => timeProcess('restic', ['backup', '--quiet', '--host=bench', '.'], { env: resticEnv(dir), cwd: source }),
  restore: (dir, target) => timeProcess('restic', ['restore', 'latest', '--quiet', `--target=${target}`], { env: resticEnv(dir) }),
};

const borgEnv = (dir: string): NodeJS.ProcessEnv => ({
  ...process.env,
  BORG_REPO: path.join(dir, 'repo'),
  BORG_PASSPHRASE: PASSWORD,
  // Config, keys, security data and the cache (chunks, files) under the tool's folder.
  BORG_BASE_DIR: path.join(dir, 'home'),
});

/** Archive names must be unique within a repository; the latest is what restores extract. */
let borgArchives = 0;

const borg: PeerTool = {
  id: 'borg',
  version: () => firstLine('borg', ['--version']),
  init: async (dir) => {
    mkdirSync(path.join(dir, 'home'), { recursive: true });
    await timeProcess('borg', ['init', '--encryption=repokey'], { env: borgEnv(dir) });
  },
  repository: (dir) => path.join(dir, 'repo'),
  backup: (dir, source) => timeProcess('borg', ['create', `::bench-${++borgArchives}`, '.'], { env: borgEnv(dir), cwd: source }),
  restore: (dir, target) => timeProcess('borg', ['extract', `::bench-${borgArchives}`], { env: borgEnv(dir), cwd: target }),
};

export const PEER_TOOLS: PeerTool[] = [dvom, restic, borg];
