/**
 * One engine operation in a fresh process, so its peak RSS is its own.
 * Usage: node bench/worker.ts '<json WorkerRequest>'
 * Prints one JSON line (WorkerResult) on stdout.
 *
 * Memory: unlocking with a password runs scrypt (N=2^17, r=8: ~128 MiB for
 * ~0.5 s). The worker records the peak after unlocking, then resets the
 * kernel's high-water mark (/proc/self/clear_refs, Linux ≥ 4.0) so the peak of
 * the operation itself is measured separately (where the reset is not
 * possible, the operation's RSS is sampled every 20 ms instead). The process
 * peak is the larger of the two.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { LocalBackend, Repository, backup, folderSource, restoreToFolder, type Credential } from '../src/main/engine/index.ts';
import type { WorkerRequest, WorkerResult } from './protocol.ts';

function peakRssKiB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}

function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function cpuMicros(): number {
  const u = process.resourceUsage();
  return u.userCPUTime + u.systemCPUTime;
}

/** CPU seconds of the main (JS) thread alone, from /proc (Linux); NaN elsewhere. */
function mainThreadCpuSeconds(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Samples RSS while the operation runs (fallback when the peak cannot be reset). */
function sampleRss(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage.rss()) / 1024);
    },
  };
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '') as WorkerRequest;
  const store = new LocalBackend(req.store);
  const credential: Credential | undefined = req.encrypted ? { kind: 'password', password: req.password } : undefined;

  const t0 = process.hrtime.bigint();
  const repo =
    req.op === 'backup' && req.create
      ? await Repository.create(store, req.name, req.encrypted ? { encrypted: true, credential } : { encrypted: false })
      : await Repository.open(store, req.name, credential);
  const t1 = process.hrtime.bigint();
  const unlockPeak = peakRssKiB();
  const reset = resetPeakRss();
  const startRss = Math.round(process.memoryUsage.rss() / 1024);
  const sampler = reset ? undefined : sampleRss();
  let session: Session | undefined;
  if (req.cpuProfile) {
    session = new Session();
    session.connect();
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = cpuMicros();
  const main0 = mainThreadCpuSeconds();

  const t2 = process.hrtime.bigint();
  let stats: WorkerResult['stats'];
  if (req.op === 'backup') {
    const version = await backup(repo, folderSource(req.source), {
      sourceKind: 'path',
      sourcePath: req.source,
      ...(req.writer ? { writer: req.writer } : {}),
    });
    stats = version.stats;
  } else {
    await restoreToFolder(repo, await repo.version('latest'), req.target);
  }
  const t3 = process.hrtime.bigint();

  const cpu = cpuMicros() - cpu0;
  const mainCpu = mainThreadCpuSeconds() - main0;
  if (session && req.cpuProfile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(req.cpuProfile, JSON.stringify(profile));
    session.disconnect();
  }
  const opPeak = sampler ? sampler.stop() : peakRssKiB();
  const result: WorkerResult = {
    op: req.op,
    unlockSeconds: Number(t1 - t0) / 1e9,
    opSeconds: Number(t3 - t2) / 1e9,
    cpuSeconds: cpu / 1e6,
    mainThreadCpuSeconds: mainCpu,
    unlockPeakRssKiB: unlockPeak,
    startRssKiB: startRss,
    opPeakRssKiB: opPeak,
    processPeakRssKiB: Math.max(unlockPeak, opPeak, reset ? 0 : process.resourceUsage().maxRSS),
    peakResetWorked: reset,
    ...(stats ? { stats } : {}),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
