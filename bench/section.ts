/**
 * A benchmark section measures one thing against the dataset of one size and
 * returns table rows. New sections (Docker volumes vs the raw archive API, S3
 * upload vs raw PutObject, ...) implement Section and are added to SECTIONS in
 * run.ts; the runner handles datasets, baselines, printing and the JSON file.
 */
import type { DatasetInfo } from './dataset.ts';
import type { RunPick } from './measure.ts';
import type { WorkerResult } from './protocol.ts';

export interface BenchOptions {
  /** Dataset sizes in bytes. */
  sizes: number[];
  /** Timed runs per operation. */
  repeat: number;
  /** Which of the runs is reported: the fastest or the median. */
  pick: RunPick;
  /**
   * DVOM operations through the dvom CLI and every operation (raw baselines
   * too) timed as a whole process, as users see them (--peers); otherwise
   * engine calls in bench/worker.ts, timed inside the process.
   */
  wholeProcess: boolean;
  /** Profile one extra encrypted first backup with --cpu-prof (smallest size). */
  profile: boolean;
  /** Keep the temporary folder (datasets, stores) instead of deleting it. */
  keep: boolean;
  seed: number;
  /** Section ids to run. */
  sections: string[];
  /** Where JSON results and profiles go. */
  resultsDir: string;
  /** Run the docker and S3 sections at every size, not only the smallest (S3 never above 1 GiB). */
  allSizes: boolean;
}

export interface Baseline {
  /** Read-only baseline: `tar -cf - -C DIR . | cat > /dev/null`, warm cache, best of runs. */
  readSeconds: number;
  readRuns: number[];
  /** Copy reference: `tar -cf - -C DIR . | tar -xf - -C OUT` (a write-side reference for restores). */
  copySeconds: number;
}

export interface DatasetContext {
  dataset: DatasetInfo;
  /** Position of this size in options.sizes (ascending). */
  sizeIndex: number;
  /** Human label of the size, e.g. "0.5 GiB". */
  label: string;
  baseline: Baseline;
  /** A fresh folder this section may use freely (deleted afterwards). */
  workDir: string;
  options: BenchOptions;
  log: (message: string) => void;
}

export interface Row {
  operation: string;
  seconds: number;
  /** Bytes processed, for MB/s (usually the dataset size). */
  bytes?: number;
  /** Divide by the read-only baseline (default: true when bytes is set). */
  compareToBaseline?: boolean;
  /** Peak RSS of the whole process (MiB). */
  peakRssMiB?: number;
  /** Peak RSS of the operation alone, without start-up and unlocking (MiB). */
  opRssMiB?: number;
  /** CPU seconds (all threads) during the operation. */
  cpuSeconds?: number;
  /** CPU seconds of the main (JavaScript) thread alone. */
  mainCpuSeconds?: number;
  note?: string;
}

export interface SectionResult {
  rows: Row[];
  /** Lines printed under the table. */
  notes: string[];
  /** Figures for the summary and the JSON file. */
  metrics: Record<string, number>;
  /** Raw data for the JSON file. */
  data?: unknown;
  /** Set when the section did not run at this size (why); rows are then empty. */
  skipped?: string;
}

/** A table row of one worker operation: its time, memory and CPU. */
export function workerRow(operation: string, r: WorkerResult, bytes: number, note?: string): Row {
  return {
    operation,
    seconds: r.opSeconds,
    bytes,
    peakRssMiB: r.processPeakRssKiB / 1024,
    // The CLI reports no RSS of the operation alone (NaN): leave the cell empty.
    ...(Number.isFinite(r.opPeakRssKiB) ? { opRssMiB: r.opPeakRssKiB / 1024 } : {}),
    cpuSeconds: r.cpuSeconds,
    mainCpuSeconds: r.mainThreadCpuSeconds,
    ...(note ? { note } : {}),
  };
}

export function skippedResult(reason: string): SectionResult {
  return { rows: [], notes: [`skipped: ${reason}`], metrics: {}, skipped: reason };
}

export interface Section {
  id: string;
  title: string;
  run(ctx: DatasetContext): Promise<SectionResult>;
  /** Summary lines over all sizes (e.g. targets). */
  summarize?(results: { label: string; bytes: number; result: SectionResult }[]): string[];
  /** Releases what the section kept between sizes (services it started); also runs on failure and Ctrl-C. */
  teardown?(): Promise<void>;
}
