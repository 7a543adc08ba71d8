/** Summarizes a V8 .cpuprofile (from node --cpu-prof): self time by function and by file. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  byFunction: ProfileEntry[];
  byFile: ProfileEntry[];
}

function shortUrl(url: string, root: string): string {
  if (!url) return '';
  const p = url.startsWith('file://') ? new URL(url).pathname : url;
  return p.startsWith(root) ? path.relative(root, p) : p;
}

export function summarizeProfile(file: string, root: string, top = 15): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample; charge it to sample i.
  prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    const url = shortUrl(cf.url, root);
    let name = url ? `${cf.functionName || '(anonymous)'}  ${url}:${cf.lineNumber + 1}` : cf.functionName || '(anonymous)';
    if (!url && !cf.functionName.startsWith('(')) {
      // A native function: name its JavaScript caller, e.g. "write (native) ← processChunk node:zlib:505".
      const parent = byId.get(parentOf.get(id) ?? -1)?.callFrame;
      if (parent?.url) name = `${name} (native) ← ${parent.functionName || '(anonymous)'}  ${shortUrl(parent.url, root)}:${parent.lineNumber + 1}`;
    }
    fn.set(name, (fn.get(name) ?? 0) + us);
    const fileKey = url || cf.functionName;
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
    total += us;
  }
  const rank = (m: Map<string, number>): ProfileEntry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, percent: total ? (100 * us) / total : 0 }));
  return { file, totalMs: total / 1000, byFunction: rank(fn), byFile: rank(files) };
}

export function formatProfile(s: ProfileSummary): string[] {
  const fmt = (e: ProfileEntry) => `  ${e.selfMs.toFixed(0).padStart(7)} ms ${e.percent.toFixed(1).padStart(5)}%  ${e.name}`;
  return [
    `main-thread CPU profile of backup() (${(s.totalMs / 1000).toFixed(2)} s sampled; work on the libuv pool, e.g. zstd, is not in it): ${path.relative(process.cwd(), s.file)}`,
    'top self time by function:',
    ...s.byFunction.map(fmt),
    'self time by file:',
    ...s.byFile.slice(0, 10).map(fmt),
  ];
}
