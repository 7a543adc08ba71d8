import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { configPath } from '../config/config-file.ts';
import { writePrivateFile } from '../platform/private-file.ts';

/**
 * Where each schedule stands (last run, run counter, the time runs are
 * counted from), in a small JSON file next to the config: the config says
 * what should happen, this file what did. Shared by the host's scheduler and
 * `dvom schedule run|list`.
 */
const runSchema = z.object({
  at: z.string(),
  outcome: z.enum(['succeeded', 'failed', 'skipped']),
  message: z.string(),
});

const entrySchema = z.object({
  /** Run times are counted from here when none was handled since: when the schedule was first seen, changed or enabled. */
  since: z.string(),
  /** The schedule's `when` (as JSON) that `since` belongs to: a changed `when` starts counting anew. */
  whenKey: z.string(),
  /** Whether it was enabled when last seen: enabling starts counting anew (no catch-up for disabled time). */
  enabled: z.boolean(),
  /** The latest run time handled: run, skipped or missed. */
  lastSlot: z.string().optional(),
  lastRun: runSchema.optional(),
  lastSuccess: z.string().optional(),
  /** When the last run failed: the schedule is failing while this is later than lastSuccess. */
  lastFailure: z.string().optional(),
  /** Successful runs (scheduled or by hand): every testRestoreEvery-th one includes a test restore. */
  runs: z.number().int().min(0).default(0),
});

const stateSchema = z.object({
  version: z.literal(1),
  /** Whether all schedules were paused when last seen: resuming starts counting anew. */
  paused: z.boolean().default(false),
  schedules: z.record(z.string(), entrySchema).default({}),
});

export type ScheduleEntry = z.infer<typeof entrySchema>;
export type RunStateDoc = z.infer<typeof stateSchema>;

/** $DVOM_STATE, else schedule-state.json next to the config file. */
export function runStatePath(): string {
  if (process.env.DVOM_STATE) return path.resolve(process.env.DVOM_STATE);
  return path.join(path.dirname(configPath()), 'schedule-state.json');
}

export function emptyRunState(): RunStateDoc {
  return { version: 1, paused: false, schedules: {} };
}

export class RunStateFile {
  readonly file: string;
  private readonly warn: (message: string) => void;
  /** Updates in this process, one after the other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(file = runStatePath(), warn: (message: string) => void = () => undefined) {
    this.file = file;
    this.warn = warn;
  }

  /** The state; a missing file is empty, and so is a damaged one (it is only bookkeeping). */
  async read(): Promise<RunStateDoc> {
    let raw: string;
    try {
      raw = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyRunState();
      throw err;
    }
    try {
      return stateSchema.parse(JSON.parse(raw));
    } catch (err) {
      this.warn(`Warning: schedule state ${this.file} is damaged and starts afresh (${(err as Error).message.split('\n')[0]})`);
      return emptyRunState();
    }
  }

  /** Reads, changes and writes the state (atomically, readable by its owner only; not at all when unchanged). */
  update(change: (doc: RunStateDoc) => void): Promise<RunStateDoc> {
    const next = this.queue.then(async () => {
      const doc = await this.read();
      const before = JSON.stringify(doc);
      change(doc);
      if (JSON.stringify(doc) !== before) await writePrivateFile(this.file, JSON.stringify(doc, null, 2) + '\n');
      return doc;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
