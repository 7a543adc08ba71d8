/**
 * Runs one benchmark operation the way the run asks (BenchOptions.wholeProcess):
 * either engine calls in bench/worker.ts, timed inside the process, or, as
 * users run it, the dvom CLI (raw baselines: the worker) timed as a whole
 * process. Either way the answer is a WorkerResult, so sections need not care;
 * figures the CLI cannot report (unlock time, the operation's own RSS) are NaN.
 */
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { dvomCli, runWorker, timeProcess } from './measure.ts';
import type { S3Target, WorkerRequest, WorkerResult } from './protocol.ts';
import type { DatasetContext } from './section.ts';

/** Requests of engine operations (not raw ones). */
type EngineRequest = Extract<WorkerRequest, { password: string }>;

/** What the dvom CLI does for an engine request; undefined for raw requests (the worker does those). */
function cliCommand(req: WorkerRequest): string[] | undefined {
  switch (req.op) {
    case 'backup':
      return ['backup', `--path=${req.source}`, `--name=${req.name}`, ...(req.encrypted ? ['--encrypt'] : [])];
    case 'volume-backup':
      return ['backup', `--volume=${req.volume}`, `--name=${req.name}`, ...(req.encrypted ? ['--encrypt'] : [])];
    case 'restore':
      return ['restore', `--snapshot=${req.name}`, `--target-dir=${req.target}`];
    case 'volume-restore':
      return ['restore', `--snapshot=${req.name}`, `--target-volume=${req.targetVolume}`];
    default:
      return undefined;
  }
}

function storeFlags(store: string | S3Target): string[] {
  if (typeof store === 'string') return [`--backup-dir=${store}`];
  return ['--storage=s3', `--s3-bucket=${store.bucket}`, `--s3-endpoint=${store.endpoint}`, '--s3-path-style', ...(store.prefix ? [`--s3-prefix=${store.prefix}`] : [])];
}

/**
 * The CLI's environment: the password in DVOM_PASSWORD (never on the command
 * line), S3 credentials where the AWS SDK's chain finds them first, and a
 * config file of its own so that no user setting (default target, scrypt
 * cost) changes what is measured.
 */
function cliEnv(req: EngineRequest, configDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DVOM_CONFIG: path.join(configDir, 'config.json') };
  for (const k of ['DVOM_BACKUP_DIR', 'DVOM_KEY', 'DVOM_SCRYPT_N', 'DVOM_PASSWORD', 'AWS_PROFILE']) delete env[k];
  if (req.encrypted) env.DVOM_PASSWORD = req.password;
  if (typeof req.store !== 'string') {
    Object.assign(env, { AWS_ACCESS_KEY_ID: req.store.accessKeyId, AWS_SECRET_ACCESS_KEY: req.store.secretAccessKey, AWS_REGION: 'us-east-1' });
  }
  return env;
}

/** Runs the dvom CLI for an engine request, timed as a whole process. */
export async function runCli(req: WorkerRequest, configDir: string): Promise<WorkerResult> {
  const command = cliCommand(req);
  if (!command || !('store' in req)) throw new Error(`runCli: '${req.op}' is not a dvom command`);
  if (req.writer || req.cpuProfile) throw new Error('runCli: writer options and CPU profiles need the worker');
  mkdirSync(configDir, { recursive: true });
  // Runs delete their stores between repeats; this machine's memory of those backups would make dvom refuse
  // to create one again where it "vanished" (finding H1), so a backup starts as on a machine that never saw it.
  if (req.op === 'backup' || req.op === 'volume-backup') rmSync(path.join(configDir, 'known-backups'), { recursive: true, force: true });
  const p = await timeProcess(process.execPath, [dvomCli(), ...command, ...storeFlags(req.store), '--quiet'], { env: cliEnv(req, configDir) });
  return {
    op: req.op,
    opSeconds: p.seconds,
    cpuSeconds: p.cpuSeconds,
    processPeakRssKiB: p.peakRssKiB,
    unlockSeconds: NaN,
    mainThreadCpuSeconds: NaN,
    unlockPeakRssKiB: NaN,
    startRssKiB: NaN,
    opPeakRssKiB: NaN,
    peakResetWorked: false,
    engineFrom: dvomCli().endsWith('.ts') ? 'src' : 'dist',
  };
}

/** Runs `req` through the CLI or the worker, as the run's options say. */
export function runOp(ctx: DatasetContext, req: WorkerRequest): Promise<WorkerResult> {
  if (!ctx.options.wholeProcess) return runWorker(req);
  return cliCommand(req) ? runCli(req, path.join(ctx.workDir, 'dvom-config')) : runWorker(req, { wholeProcess: true });
}
