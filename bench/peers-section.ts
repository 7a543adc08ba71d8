/**
 * DVOM against restic and borg (bench/peers.ts) on the same dataset, side by
 * side: encrypted first backup, unchanged re-backup and restore, each a whole
 * process, `repeat` runs per tool (median reported, with --peers), rounds
 * interleaving the tools so that load from other processes spreads evenly.
 *
 * Page cache: every first backup starts warm, right after a read of the whole
 * dataset; every restore starts right after a read of the tool's repository
 * and cache, into a fresh empty folder. Dirty pages are flushed (sync) before
 * every timed run. Each first backup goes into a fresh repository with a
 * fresh cache; the re-backups and restores use the last one.
 */
import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { folderDigest } from './digest.ts';
import { MiB, formatGrid, meets, targetLabel, verdict, type Target } from './format.ts';
import { pickOf, syncDisks, timeShell, treeTotals, type ProcessRun } from './measure.ts';
import { PEER_TOOLS, type PeerTool } from './peers.ts';
import { skippedResult, type DatasetContext, type Section, type SectionResult } from './section.ts';

const OPS = ['first backup', 'unchanged re-backup', 'restore'] as const;
type Op = (typeof OPS)[number];

/** Targets (issue 10): every DVOM time at most 0.9× the best peer's; peak RSS at most restic's. */
const TIME_TARGET: Target = { op: '≤', value: 0.9 };
const RSS_TARGET: Target = { op: '≤', value: 1 };

interface ToolResult {
  id: PeerTool['id'];
  version: string;
  /** The reported (median or best) run of each operation, all runs' seconds, and the operation's peak RSS over its runs. */
  ops: Record<Op, ProcessRun & { runs: number[]; opPeakRssKiB: number }>;
  /** Peak RSS over every run of every operation. */
  peakRssKiB: number;
  storedBytes: number;
  restoreOk: boolean;
}

/** Runs `once` for every tool, round after round, syncing disks before each run. */
async function rounds(ctx: DatasetContext, tools: PeerTool[], what: Op, once: (tool: PeerTool, round: number) => Promise<ProcessRun>) {
  const runs = new Map<PeerTool, ProcessRun[]>(tools.map((t) => [t, []]));
  for (let round = 0; round < ctx.options.repeat; round++) {
    for (const tool of tools) {
      ctx.log(`${what}: ${tool.id} (round ${round + 1} of ${ctx.options.repeat})`);
      runs.get(tool)!.push(await once(tool, round));
    }
  }
  return runs;
}

/** Reads every file under the folders (through tar, like the read baseline): the page cache holds them afterwards. */
const warm = (...dirs: string[]) => timeShell('for d in "$@"; do [ -d "$d" ] && tar -cf - -C "$d" . | cat > /dev/null; done; true', ...dirs);

async function measure(ctx: DatasetContext, tools: { tool: PeerTool; version: string }[]): Promise<ToolResult[]> {
  const { dataset, workDir } = ctx;
  const dirOf = (t: PeerTool) => path.join(workDir, t.id);
  const restoreDir = path.join(workDir, 'restored');
  const all = tools.map((t) => t.tool);
  const stored = new Map<PeerTool, number>();

  const first = await rounds(ctx, all, 'first backup', async (tool) => {
    await rm(dirOf(tool), { recursive: true, force: true });
    await mkdir(dirOf(tool), { recursive: true });
    await tool.init(dirOf(tool));
    await warm(dataset.dir);
    await syncDisks();
    const r = await tool.backup(dirOf(tool), dataset.dir);
    stored.set(tool, (await treeTotals(tool.repository(dirOf(tool)))).bytes);
    return r;
  });
  const again = await rounds(ctx, all, 'unchanged re-backup', async (tool) => {
    await syncDisks();
    return tool.backup(dirOf(tool), dataset.dir);
  });
  const restoreOk = new Map<PeerTool, boolean>();
  const expected = (await folderDigest(dataset.dir)).digest();
  const restore = await rounds(ctx, all, 'restore', async (tool, round) => {
    await rm(restoreDir, { recursive: true, force: true });
    await mkdir(restoreDir);
    await warm(dirOf(tool));
    await syncDisks();
    const r = await tool.restore(dirOf(tool), restoreDir);
    if (round === ctx.options.repeat - 1) restoreOk.set(tool, (await folderDigest(restoreDir)).digest() === expected);
    return r;
  });
  await rm(restoreDir, { recursive: true, force: true });

  return tools.map(({ tool, version }) => {
    const byOp: Record<Op, ProcessRun[]> = { 'first backup': first.get(tool)!, 'unchanged re-backup': again.get(tool)!, restore: restore.get(tool)! };
    const ops = Object.fromEntries(
      OPS.map((op) => [op, {
        ...pickOf(byOp[op], (r) => r.seconds, ctx.options.pick),
        runs: byOp[op].map((r) => r.seconds),
        opPeakRssKiB: Math.max(...byOp[op].map((r) => r.peakRssKiB)),
      }]),
    ) as ToolResult['ops'];
    return {
      id: tool.id,
      version,
      ops,
      peakRssKiB: Math.max(...OPS.flatMap((op) => byOp[op].map((r) => r.peakRssKiB))),
      storedBytes: stored.get(tool)!,
      restoreOk: restoreOk.get(tool) ?? false,
    };
  });
}

/** DVOM's figure over the best (lowest) peer's, or over `only`'s, and which peer that is. */
function toBest(results: ToolResult[], value: (r: ToolResult) => number, only?: string): { ratio: number; peer: string } | undefined {
  const peers = results.filter((r) => r.id !== 'dvom' && (!only || r.id === only));
  const dvom = results.find((r) => r.id === 'dvom');
  if (!dvom || !peers.length) return undefined;
  const best = peers.reduce((a, b) => (value(b) < value(a) ? b : a));
  return { ratio: value(dvom) / value(best), peer: best.id };
}

function table(results: ToolResult[]): string[] {
  const ids = ['dvom', 'restic', 'borg'] as const;
  const cell = (id: string, value: (r: ToolResult) => string) => {
    const r = results.find((x) => x.id === id);
    return r ? value(r) : 'n/a';
  };
  const row = (label: string, value: (r: ToolResult) => number, digits: number, versus?: { target: Target; peer?: string }): string[] => {
    const ratio = versus ? toBest(results, value, versus.peer) : undefined;
    return [
      label,
      ...ids.map((id) => cell(id, (r) => value(r).toFixed(digits))),
      ratio ? `${targetLabel(ratio.ratio, versus!.target)} vs ${ratio.peer}` : versus ? 'n/a (no peer)' : '',
    ];
  };
  const cells = [
    ...OPS.map((op) => row(`${op} s`, (r) => r.ops[op].seconds, 2, { target: TIME_TARGET })),
    row('peak RSS MiB (any operation)', (r) => r.peakRssKiB / 1024, 0, { target: RSS_TARGET, peer: 'restic' }),
    // Which operation sets the peak, for each tool.
    ...OPS.map((op) => row(`${op} peak RSS MiB`, (r) => r.ops[op].opPeakRssKiB / 1024, 0, { target: RSS_TARGET, peer: 'restic' })),
    row('stored MiB after first backup', (r) => r.storedBytes / MiB, 1),
    ...OPS.map((op) => row(`${op} CPU s`, (r) => r.ops[op].cpuSeconds, 2)),
  ];
  return formatGrid(['', 'DVOM', 'restic', 'borg', 'DVOM / best peer (target: met?)'], cells, 1);
}

export const peersSection: Section = {
  id: 'peers',
  title: 'peers: DVOM vs restic and borg, encrypted, whole processes',

  async run(ctx: DatasetContext): Promise<SectionResult> {
    const found = await Promise.all(PEER_TOOLS.map(async (tool) => ({ tool, version: await tool.version() })));
    const tools = found.filter((t): t is { tool: PeerTool; version: string } => t.version !== undefined);
    const missing = found.filter((t) => t.version === undefined).map((t) => t.tool.id);
    if (!tools.some((t) => t.tool.id === 'dvom')) return skippedResult('the dvom CLI does not run (npm run build)');
    if (tools.length < 2) return skippedResult(`neither restic nor borg is installed (apt-get install restic borgbackup)`);
    const results = await measure(ctx, tools);
    const notes = [
      ...table(results),
      '',
      `versions: ${results.map((r) => r.version).join('; ')}` + (missing.length ? `; not installed: ${missing.join(', ')}` : ''),
      `${ctx.options.pick} of ${ctx.options.repeat} runs per operation (all runs: ` +
        results.map((r) => `${r.id} ${OPS.map((op) => r.ops[op].runs.map((s) => s.toFixed(2)).join('/')).join(', ')}`).join('; ') +
        ')',
      'whole processes under GNU time (peak RSS = wait4 ru_maxrss); each tool with its own repository and cache, encrypted ' +
        '(DVOM_PASSWORD, RESTIC_PASSWORD, borg repokey with BORG_PASSPHRASE), default compression',
      'page cache warm for all: the dataset is read just before each first backup, the repository just before each restore; ' +
        'restores go into a fresh empty folder',
      `restore check (sha256 of every file): ${results.map((r) => `${r.id} ${r.restoreOk ? 'OK' : 'MISMATCH'}`).join(', ')}`,
    ];
    const metrics: Record<string, number> = {};
    for (const r of results) {
      for (const op of OPS) metrics[`${r.id} ${op} seconds`] = r.ops[op].seconds;
      metrics[`${r.id} peak RSS MiB`] = r.peakRssKiB / 1024;
      for (const op of OPS) metrics[`${r.id} ${op} peak RSS MiB`] = r.ops[op].opPeakRssKiB / 1024;
      metrics[`${r.id} stored bytes`] = r.storedBytes;
      metrics[`${r.id} restore ok`] = r.restoreOk ? 1 : 0;
    }
    return { rows: [], notes, metrics, data: { tools: results } };
  },

  summarize(results) {
    return results.flatMap(({ label, result }) => {
      const tools = (result.data as { tools: ToolResult[] }).tools;
      const line = (what: string, value: (r: ToolResult) => number, t: Target, only?: string) => {
        const ratio = toBest(tools, value, only);
        return ratio
          ? `${label} ${what}: DVOM / ${ratio.peer} = ${ratio.ratio.toFixed(2)}× (target ${t.op} ${t.value}×): ${verdict(meets(ratio.ratio, t))}`
          : `${label} ${what}: no peer to compare with`;
      };
      return [
        ...OPS.map((op) => line(op, (r) => r.ops[op].seconds, TIME_TARGET)),
        line('peak RSS', (r) => r.peakRssKiB, RSS_TARGET, 'restic'),
        ...(tools.every((r) => r.restoreOk) ? [] : [`${label} peers: RESTORE CHECK FAILED for ${tools.filter((r) => !r.restoreOk).map((r) => r.id).join(', ')}`]),
      ];
    });
  },
};
