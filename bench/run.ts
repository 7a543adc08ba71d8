/**
 * DVOM benchmark. Builds deterministic datasets (half random, half text, some
 * thousands of small files), measures a read-only baseline on each, then runs
 * the sections against it. Every figure is relative to baselines measured in
 * the same run; nothing here fails on slowness.
 *
 *   npm run build && npm run bench         # 0.5 GiB and 2 GiB (~4-6 minutes on 2 cores)
 *   npm run bench -- --quick               # 128 MiB smoke run
 *   npm run bench -- --sizes=0.25,1 --repeat=2 --profile
 *   npm run build && npm run bench -- --peers   # DVOM vs restic and borg on P1 and P2 (~15-20 minutes)
 *
 * Workers load the engine from dist/ (what users run) when it is built and
 * newer than the sources, else from src/ through Node's type stripping, which
 * costs memory users never pay (the summary says which was used).
 *
 * Options:
 *   --sizes=A,B     dataset sizes in GiB (default 0.5,2)
 *   --quick         one 128 MiB dataset
 *   --repeat=N      timed runs per operation, best kept (default 1; with --peers 3, median kept)
 *   --profile       also run one encrypted first backup under --cpu-prof (smallest size) and summarize it
 *   --sections=a,b  sections to run (default: engine, docker, s3; with --peers: peers, docker, s3)
 *   --peers         the comparison of issue 10: datasets P1 and P2 (see dataset.ts) instead of
 *                   --sizes; DVOM through the dvom CLI of dist/, every operation (raw baselines
 *                   too) timed as a whole process under GNU time, median of --repeat runs; the
 *                   peers section compares DVOM with restic and borg (those installed:
 *                   apt-get install restic borgbackup time), docker and s3 run on P1
 *   --all-sizes     run the docker and s3 sections at every size (default: the smallest, or P1, only; s3 never above 1 GiB)
 *   --engine-from=auto|dist|src   where workers load the engine from (default auto: dist/ if current)
 *   --seed=N        dataset seed (default 1)
 *   --keep          keep the temporary folder
 *
 * The docker section needs a Docker engine (skipped otherwise); the s3 section
 * uses DVOM_BENCH_S3_* or DVOM_TEST_S3_* (ENDPOINT, ACCESS_KEY, SECRET_KEY),
 * else starts a private Ceph RGW with scripts/services/ceph-rgw.sh (skipped
 * if that is not possible). Everything they create is removed, also on Ctrl-C.
 *
 * Results are printed and written to bench-results/bench-<timestamp>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runInterruptCleanups } from './cleanup.ts';
import { defaultSmallFiles, generateDataset, type DatasetInfo, type DatasetSpec } from './dataset.ts';
import { dockerSection } from './docker-section.ts';
import { chooseEngineModules, type EngineFrom } from './engine-module.ts';
import { engineSection } from './engine-section.ts';
import { GiB, bytesLabel, formatTable, ratioOf, sizeLabel } from './format.ts';
import { gnuTimeProblem, killChildren, setupWorkers, syncDisks, timeTarCopy, timeTarRead } from './measure.ts';
import { peersSection } from './peers-section.ts';
import { s3Section } from './s3-section.ts';
import { skippedResult, type Baseline, type BenchOptions, type Row, type Section, type SectionResult } from './section.ts';

/** Every section, in run order. Add new ones here. */
const SECTIONS: Section[] = [peersSection, engineSection, dockerSection, s3Section];

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

function parseOptions(argv: string[]): BenchOptions & { engineFrom: EngineFrom; peers: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      quick: { type: 'boolean', default: false },
      repeat: { type: 'string' },
      peers: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      sections: { type: 'string' },
      seed: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      'all-sizes': { type: 'boolean', default: false },
      'engine-from': { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: node bench/run.ts [--peers] [--sizes=0.5,2] [--quick] [--repeat=N] [--profile] [--sections=peers,engine,docker,s3] [--all-sizes] ' +
        '[--engine-from=auto|dist|src] [--seed=N] [--keep]\n',
    );
    process.exit(0);
  }
  const gib = values.quick ? [0.125] : (values.sizes ?? '0.5,2').split(',').map(Number);
  if (!gib.length || gib.some((g) => !(g > 0) || g > 64)) throw new Error(`--sizes must be GiB values in (0, 64], got '${values.sizes}'`);
  const peers = values.peers;
  const repeat = Number(values.repeat ?? (peers ? 3 : 1));
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a positive integer, got '${values.repeat}'`);
  const ids = SECTIONS.map((s) => s.id);
  const sections = values.sections ? values.sections.split(',') : peers ? ['peers', 'docker', 's3'] : ['engine', 'docker', 's3'];
  for (const s of sections) if (!ids.includes(s)) throw new Error(`unknown section '${s}' (available: ${ids.join(', ')})`);
  const engineFrom = values['engine-from'] as EngineFrom;
  if (!['auto', 'dist', 'src'].includes(engineFrom)) throw new Error(`--engine-from must be auto, dist or src, got '${engineFrom}'`);
  return {
    sizes: gib.map((g) => Math.round(g * GiB)).sort((a, b) => a - b),
    repeat,
    pick: peers ? 'median' : 'best',
    wholeProcess: peers,
    peers,
    profile: values.profile,
    keep: values.keep,
    seed: Number(values.seed),
    sections,
    resultsDir: path.join(REPO_ROOT, 'bench-results'),
    allSizes: values['all-sizes'],
    engineFrom,
  };
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function measureBaseline(dataset: DatasetInfo, workDir: string): Promise<Baseline> {
  log('baseline: tar | cat > /dev/null (1 warm-up + 2 timed)');
  await timeTarRead(dataset.dir); // warms the page cache
  const readRuns = [await timeTarRead(dataset.dir), await timeTarRead(dataset.dir)];
  log('copy reference: tar | tar -x');
  const out = path.join(workDir, 'tar-copy');
  await syncDisks();
  const copySeconds = await timeTarCopy(dataset.dir, out);
  rmSync(out, { recursive: true, force: true });
  return { readSeconds: Math.min(...readRuns), readRuns, copySeconds };
}

interface SizeReport {
  label: string;
  dataset: DatasetInfo;
  baseline: Baseline;
  sections: { id: string; title: string; result: SectionResult }[];
}

function printSize(r: SizeReport): void {
  const d = r.dataset;
  const out: string[] = [
    '',
    `=== dataset ${r.label}: ${d.files} files (${d.layout}), ${d.dirs} dirs, ` +
      `${bytesLabel(d.bytes)} = ${bytesLabel(d.randomBytes)} random + ${bytesLabel(d.textBytes)} text; generated in ${d.generateSeconds.toFixed(1)} s`,
  ];
  const baseRows: Row[] = [
    { operation: 'read baseline: tar | cat > /dev/null', seconds: r.baseline.readSeconds, bytes: d.bytes, note: `runs ${r.baseline.readRuns.map((s) => s.toFixed(2)).join(', ')}` },
    { operation: 'copy reference: tar | tar -x', seconds: r.baseline.copySeconds, bytes: d.bytes },
  ];
  for (const s of r.sections) {
    out.push('', `--- ${s.title}`);
    if (s.result.rows.length) out.push(...formatTable([...baseRows, ...s.result.rows], r.baseline.readSeconds));
    out.push(...s.result.notes.map((n) => (n ? `  ${n}` : '')));
  }
  process.stdout.write(out.join('\n') + '\n');
}

/** Set by Ctrl-C / SIGTERM: the signal handler cleans up and exits; the main flow must not exit first. */
let interrupted = false;

async function main(): Promise<void> {
  const { engineFrom, peers, ...options } = parseOptions(process.argv.slice(2));
  const sections = SECTIONS.filter((s) => options.sections.includes(s.id));
  const engine = chooseEngineModules(engineFrom);
  if (peers && engine.from !== 'dist') throw new Error(`--peers runs the dvom CLI users run, from dist/, but ${engine.reason}: run npm run build`);
  const timeProblem = options.wholeProcess || options.sections.includes('peers') ? gnuTimeProblem() : undefined;
  if (timeProblem) throw new Error(timeProblem);
  const datasets: { label: string; spec: DatasetSpec }[] = peers
    ? (['P1', 'P2'] as const).map((layout) => ({ label: layout, spec: { layout, seed: options.seed } }))
    : options.sizes.map((bytes) => ({ label: sizeLabel(bytes), spec: { layout: 'mixed', bytes, smallFiles: defaultSmallFiles(bytes), seed: options.seed } }));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'dvom-bench-'));
  const cleanup = () => {
    if (!options.keep) rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130); // a second Ctrl-C: give up on cleaning up
    interrupted = true;
    log(`${signal}: stopping workers and removing what the bench created (Ctrl-C again to quit at once)`);
    killChildren();
    void (async () => {
      await runInterruptCleanups();
      for (const s of sections) await s.teardown?.().catch(() => undefined);
      cleanup();
      process.exit(130);
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = new Date();
  const loadAtStart = os.loadavg()[0]!;
  const worker = setupWorkers(engine, tmp);
  log(`temp folder ${tmp}; datasets ${datasets.map((d) => d.label).join(', ')}; sections ${options.sections.join(', ')}`);
  log(`workers load the engine from ${engine.from}/ (${engine.reason})${worker.stripped ? '' : '; worker runs as TypeScript'}`);
  const reports: SizeReport[] = [];
  try {
    for (const [sizeIndex, { label, spec }] of datasets.entries()) {
      const root = path.join(tmp, `size-${sizeIndex}`);
      const dataDir = path.join(root, 'data');
      log(`generating ${label} dataset`);
      const dataset = generateDataset(dataDir, spec);
      await syncDisks();
      const baseline = await measureBaseline(dataset, root);
      const report: SizeReport = { label, dataset, baseline, sections: [] };
      for (const section of sections) {
        const workDir = path.join(root, `work-${section.id}`);
        mkdirSync(workDir, { recursive: true });
        let result: SectionResult;
        try {
          result = await section.run({ dataset, sizeIndex, label, baseline, workDir, options, log: (m) => log(`${label} ${section.id}: ${m}`) });
        } catch (err) {
          if (interrupted) throw err;
          log(`${label} ${section.id}: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          result = { ...skippedResult(''), notes: [`FAILED: ${(err as Error).message}`], skipped: `FAILED: ${(err as Error).message}` };
        }
        rmSync(workDir, { recursive: true, force: true });
        report.sections.push({ id: section.id, title: section.title, result });
      }
      printSize(report);
      reports.push(report);
      if (!options.keep) rmSync(root, { recursive: true, force: true });
    }
  } finally {
    for (const s of sections) {
      try {
        await s.teardown?.();
      } catch (err) {
        log(`${s.id}: teardown failed: ${(err as Error).message}`);
      }
    }
    cleanup();
  }

  const summary: string[] = [];
  const loadAtEnd = os.loadavg()[0]!;
  if (engine.from === 'src') {
    summary.push(
      `note: workers ran the engine from the TypeScript sources (src/), not dist/: ${engine.reason}. ` +
        'Node type-strips every module on load, which adds RSS users running dist/ never pay: run `npm run build` first.',
    );
  } else {
    summary.push(`engine loaded from dist/ (${engine.reason})${worker.stripped ? '' : '; the worker entry itself ran as TypeScript'}`);
  }
  if (loadAtStart > os.cpus().length / 2) {
    summary.push(
      `warning: 1-minute load average ${loadAtStart.toFixed(1)} at start on ${os.cpus().length} cores: ` +
        'other processes competed for the CPU, so timings are noisy (compare CPU seconds, or rerun with --repeat=2)',
    );
  }
  for (const section of sections) {
    const per = reports.map((r) => ({ label: r.label, bytes: r.dataset.bytes, result: r.sections.find((s) => s.id === section.id)!.result }));
    for (const x of per) if (x.result.skipped?.startsWith('FAILED')) summary.push(`${section.id} at ${x.label}: ${x.result.skipped}`);
    const ran = per.filter((x) => !x.result.skipped);
    if (!ran.length) {
      const why = [...new Set(per.map((x) => x.result.skipped))].join('; ');
      if (!why.startsWith('FAILED')) summary.push(`${section.id}: not run (${why})`);
      continue;
    }
    summary.push(...(section.summarize?.(ran) ?? []));
  }
  process.stdout.write(['', '=== summary (ratios against baselines measured in this run)', ...summary.map((s) => `  ${s}`), ''].join('\n') + '\n');

  const stamp = started.toISOString().replace(/[:.]/g, '-');
  mkdirSync(options.resultsDir, { recursive: true });
  const file = path.join(options.resultsDir, `bench-${stamp}.json`);
  const json = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    machine: { node: process.version, platform: `${os.type()} ${os.release()}`, arch: os.arch(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemBytes: os.totalmem() },
    options: { ...options, resultsDir: undefined, engineFrom, peers },
    engine: { from: engine.from, reason: engine.reason, workerStripped: worker.stripped },
    sizes: reports.map((r) => ({
      label: r.label,
      dataset: r.dataset,
      baseline: r.baseline,
      sections: r.sections.map((s) => ({
        id: s.id,
        rows: s.result.rows.map((row) => ({ ...row, ratioToReadBaseline: ratioOf(row, r.baseline.readSeconds) ?? null })),
        ...(s.result.skipped ? { skipped: s.result.skipped } : {}),
        metrics: s.result.metrics,
        notes: s.result.notes,
        data: s.result.data,
      })),
    })),
    summary,
  };
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
}

main().catch((err: unknown) => {
  if (interrupted) return; // the signal handler exits once it has cleaned up
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
