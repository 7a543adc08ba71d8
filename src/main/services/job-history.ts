import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import type { JobDto } from '../../shared/api/dto.ts';
import { API_ERROR_CODES } from '../../shared/api/errors.ts';
import { PROGRESS_PHASES } from '../../shared/progress.ts';
import { configPath } from '../config/config-file.ts';
import { writePrivateFile } from '../platform/private-file.ts';

/**
 * Finished jobs on disk, so the Activity page still shows them after the app
 * or `dvom serve` restarts: one small JSON file next to the config, the
 * newest HISTORY_LIMIT jobs, rewritten atomically after each job. It holds
 * what the API already shows (titles, outcomes, figures, error messages),
 * never a password or key.
 */
export const HISTORY_LIMIT = 500;

const progressSchema = z
  .object({
    phase: z.enum(PROGRESS_PHASES),
    bytesDone: z.number(),
    bytesTotal: z.number().optional(),
    filesDone: z.number(),
    filesTotal: z.number().optional(),
    bytesNew: z.number().optional(),
    bytesStored: z.number().optional(),
    subject: z.string().optional(),
  })
  .strip();

const jobSchema = z
  .object({
    id: z.string().regex(/^job-[0-9a-f]{12}$/),
    kind: z.enum(['backup', 'restore', 'test-restore', 'verify']),
    title: z.string(),
    state: z.enum(['succeeded', 'failed', 'cancelled']),
    startedAt: z.string(),
    finishedAt: z.string(),
    progress: progressSchema.nullable(),
    result: z.string().nullable(),
    error: z.object({ code: z.enum(API_ERROR_CODES), message: z.string(), field: z.string().optional(), problem: z.string().optional() }).strip().nullable(),
    target: z.string().optional(),
    backup: z.string().optional(),
    schedule: z.string().optional(),
    containersDownMs: z.number().optional(),
  })
  .strip();

const fileSchema = z.object({ version: z.literal(1), jobs: z.array(jobSchema) });

/** job-history.json next to the config file (so DVOM_CONFIG moves it too). */
export function jobHistoryPath(): string {
  return path.join(path.dirname(configPath()), 'job-history.json');
}

/** What is kept of a finished job: no rate, time left or current file (they describe a moment, and a path says more than needed). */
function persisted(job: JobDto): JobDto {
  const { progress, ...rest } = structuredClone(job);
  if (!progress) return { ...rest, progress: null };
  const { rate: _rate, etaSeconds: _eta, current: _current, ...kept } = progress;
  return { ...rest, progress: kept };
}

export class JobHistoryFile {
  readonly file: string;
  private readonly log: (message: string) => void;
  /** Oldest first, as in the file. */
  private jobs: JobDto[] = [];
  /** Writes in this process, one after the other, and none before the saved jobs were read (it would lose them). */
  private queue: Promise<unknown> = Promise.resolve();
  private loaded: Promise<unknown> = Promise.resolve();

  constructor(file = jobHistoryPath(), log: (message: string) => void = () => undefined) {
    this.file = file;
    this.log = log;
  }

  /**
   * The saved jobs, oldest first. A missing file is no history; a damaged one
   * is moved aside (kept for a look, never read again) and history starts
   * afresh: it is only a record, and must not stop the app.
   */
  load(): Promise<JobDto[]> {
    const loading = this.read();
    this.loaded = loading.catch(() => undefined);
    return loading;
  }

  private async read(): Promise<JobDto[]> {
    let raw: string;
    try {
      raw = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.log(`Warning: cannot read the job history ${this.file} (${(err as Error).message}); starting without it`);
      return [];
    }
    try {
      // Jobs that finished while this was loading stay after the saved ones.
      this.jobs = [...fileSchema.parse(JSON.parse(raw)).jobs, ...this.jobs].slice(-HISTORY_LIMIT);
    } catch (err) {
      const aside = `${this.file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const moved = await fs.rename(this.file, aside).then(
        () => `kept as ${aside}`,
        (e: Error) => `could not move it aside: ${e.message}`,
      );
      this.log(`Warning: the job history ${this.file} is damaged (${(err as Error).message.split('\n')[0]}); starting a new one, the old one ${moved}`);
    }
    return structuredClone(this.jobs);
  }

  /** Adds a finished job and rewrites the file (the oldest dropped beyond HISTORY_LIMIT); a failed write is logged, never thrown. */
  add(job: JobDto): Promise<void> {
    this.jobs.push(persisted(job));
    if (this.jobs.length > HISTORY_LIMIT) this.jobs.splice(0, this.jobs.length - HISTORY_LIMIT);
    const next = this.queue
      .then(() => this.loaded)
      .then(() => writePrivateFile(this.file, JSON.stringify({ version: 1, jobs: this.jobs }) + '\n'))
      .catch((err: Error) => this.log(`Warning: cannot save the job history to ${this.file}: ${err.message}`));
    this.queue = next;
    return next;
  }

  /** Resolves when every write started so far has ended. */
  flushed(): Promise<void> {
    return this.queue.then(() => undefined);
  }
}
