/** Plain-text tables and number formatting for the benchmark report. */
import type { Row } from './section.ts';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function sizeLabel(bytes: number): string {
  return bytes >= GiB / 4 ? `${+(bytes / GiB).toFixed(3)} GiB` : `${+(bytes / MiB).toFixed(1)} MiB`;
}

export function bytesLabel(bytes: number): string {
  if (bytes < 10 * 1024) return `${bytes} B`;
  if (bytes < 10 * MiB) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 10 * GiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${(bytes / GiB).toFixed(2)} GiB`;
}

export function ratioOf(row: Row, baselineSeconds: number): number | undefined {
  const compare = row.compareToBaseline ?? row.bytes !== undefined;
  return compare && baselineSeconds > 0 ? row.seconds / baselineSeconds : undefined;
}

const HEADERS = ['operation', 'seconds', 'MB/s', '× read', 'peak RSS MiB', 'op RSS MiB', 'CPU s all/main', 'note'];

export function formatTable(rows: Row[], baselineSeconds: number): string[] {
  const cells = rows.map((r) => {
    const ratio = ratioOf(r, baselineSeconds);
    return [
      r.operation,
      r.seconds.toFixed(2),
      r.bytes !== undefined && r.seconds > 0 ? (r.bytes / 1e6 / r.seconds).toFixed(0) : '',
      ratio !== undefined ? `${ratio.toFixed(2)}×` : '',
      r.peakRssMiB !== undefined ? r.peakRssMiB.toFixed(0) : '',
      r.opRssMiB !== undefined ? r.opRssMiB.toFixed(0) : '',
      r.cpuSeconds !== undefined
        ? r.cpuSeconds.toFixed(2) + (r.mainCpuSeconds !== undefined && Number.isFinite(r.mainCpuSeconds) ? ` / ${r.mainCpuSeconds.toFixed(2)}` : '')
        : '',
      r.note ?? '',
    ];
  });
  return formatGrid(HEADERS, cells, 1);
}

/** A plain-text table: the first column and the last `textColumns` columns left-aligned, the others (numbers) right-aligned. */
export function formatGrid(headers: string[], cells: string[][], textColumns: number): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 || i >= c.length - textColumns ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
}

export const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** A target a ratio must meet, e.g. { op: '≤', value: 1.6 }. */
export interface Target {
  op: '≤' | '≥';
  value: number;
}

export const meets = (ratio: number, t: Target): boolean => (t.op === '≤' ? ratio <= t.value : ratio >= t.value);

/** "1.27× (target ≤ 1.6×: met)". */
export const targetLabel = (ratio: number, t: Target): string => `${ratio.toFixed(2)}× (target ${t.op} ${t.value}×: ${verdict(meets(ratio, t))})`;
