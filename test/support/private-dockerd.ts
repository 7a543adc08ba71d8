/**
 * A private Docker engine for tests that stop and start the daemon: its own
 * socket, data root and exec root (so its own managed containerd) under a
 * temporary folder, no networking. The machine's shared engine is never
 * touched. Needs root and the `dockerd` binary.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PrivateDockerd {
  readonly dir: string;
  private child: ChildProcess | undefined;
  /** More dockerd flags (another --host, TLS), after the ones every private engine has. */
  private readonly extraArgs: string[];

  constructor(extraArgs: string[] = []) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-dockerd-'));
    this.extraArgs = extraArgs;
  }

  /** Why this cannot run here, or false. */
  static skipReason(): string | false {
    if (process.getuid?.() !== 0) return 'a private dockerd needs root';
    if (spawnSync('dockerd', ['--version']).status !== 0) return 'dockerd is not installed';
    return false;
  }

  get socket(): string {
    return path.join(this.dir, 'docker.sock');
  }

  /** DOCKER_HOST for clients of this engine. */
  get host(): string {
    return `unix://${this.socket}`;
  }

  /** Where a volume's files live on the host. */
  volumeData(name: string): string {
    return path.join(this.dir, 'data', 'volumes', name, '_data');
  }

  /** Starts the daemon and waits (up to 30 s) until it answers. */
  async start(): Promise<void> {
    if (this.child) throw new Error('the private dockerd is already running');
    const log = fs.openSync(path.join(this.dir, 'dockerd.log'), 'a');
    this.child = spawn(
      'dockerd',
      [
        `--host=${this.host}`,
        `--data-root=${path.join(this.dir, 'data')}`,
        `--exec-root=${path.join(this.dir, 'exec')}`,
        `--pidfile=${path.join(this.dir, 'docker.pid')}`,
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        ...this.extraArgs,
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    for (let i = 0; i < 120; i++) {
      if (this.child.exitCode !== null) throw new Error(`dockerd exited: see ${this.dir}/dockerd.log`);
      if (spawnSync('docker', ['-H', this.host, 'version', '--format', '{{.Server.Version}}'], { timeout: 5000 }).status === 0) return;
      await sleep(250);
    }
    throw new Error('the private dockerd did not answer within 30 s');
  }

  /** Stops the daemon (SIGTERM, then SIGKILL after 20 s) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  /** Kills the daemon at once (a crash: open API streams break), and waits for it to exit. */
  async crash(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Runs `docker ARGS` against this engine. */
  docker(...args: string[]): string {
    const r = spawnSync('docker', ['-H', this.host, ...args], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** Stops the daemon, unmounts anything left under its folder and removes it. */
  async remove(): Promise<void> {
    await this.stop();
    // Whatever still runs from this folder (it was ours): never leave a daemon behind.
    try {
      const pid = Number(fs.readFileSync(path.join(this.dir, 'docker.pid'), 'utf8').trim());
      if (pid > 0 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.dir)) process.kill(pid, 'SIGKILL');
    } catch {
      // no pid file, or that process is gone
    }
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(this.dir + '/'))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
