import type { ProgressListener } from '../../../shared/progress.ts';
import { DvomError } from '../errors.ts';

/** What a merge does with a path the destination already holds. */
export type OnExisting = 'skip' | 'overwrite';

/** What a merge into a destination that holds data did. */
export interface MergeCounts {
  /** Files (and links) written, new or replacing what was there. */
  written: number;
  /** Of those, how many replaced something. */
  overwritten: number;
  /** Files of the version not written because the destination had something there. */
  skipped: number;
  bytes: number;
}

const NAMED = 10;

/**
 * Counts what a merge wrote, and keeps the first and the last names: enough
 * for an error after a failure or cancel to say which files were written
 * (they were written in order: the rest were not touched).
 */
export class WrittenFiles {
  files = 0;
  overwritten = 0;
  skipped = 0;
  bytes = 0;
  private first: string[] = [];
  private last = '';
  /** Regular files looked at, written or kept, and their bytes: the progress of the writing phase against the restore's totals. */
  private seenFiles = 0;
  private seenBytes = 0;

  private readonly onProgress: ProgressListener | undefined;
  private readonly totals: { files: number; bytes: number } | undefined;

  constructor(onProgress?: ProgressListener, totals?: { files: number; bytes: number }) {
    this.onProgress = onProgress;
    this.totals = totals;
  }

  /** A file (or link: `regular` false) written into the destination. */
  add(path: string, replaced: boolean, regular: boolean, bytes: number): void {
    this.files++;
    if (replaced) this.overwritten++;
    this.bytes += bytes;
    if (this.first.length < NAMED) this.first.push(path);
    this.last = path;
    this.seen(path, regular, bytes);
  }

  /** A file of the version not written: the destination has something there. */
  skip(path: string, regular: boolean, bytes: number): void {
    this.skipped++;
    this.seen(path, regular, bytes);
  }

  private seen(path: string, regular: boolean, bytes: number): void {
    if (!regular) return;
    this.seenFiles++;
    this.seenBytes += bytes;
    this.onProgress?.({
      phase: 'writing',
      filesDone: this.seenFiles,
      bytesDone: this.seenBytes,
      ...(this.totals ? { filesTotal: this.totals.files, bytesTotal: this.totals.bytes } : {}),
      current: path,
    });
  }

  counts(): MergeCounts {
    return { written: this.files, overwritten: this.overwritten, skipped: this.skipped, bytes: this.bytes };
  }

  /** Which files were written, in words. */
  describe(where: string): string {
    if (!this.files) return `nothing was written into ${where}`;
    const names = this.first.map((p) => `'${p}'`).join(', ');
    const more = this.files > this.first.length ? `, … (${this.files - this.first.length} more, ending with '${this.last}')` : '';
    return `${this.files} ${this.files === 1 ? 'file had' : 'files had'} been written into ${where} (${names}${more}); the others were not touched`;
  }

  cancelled(where: string): DvomError {
    return new DvomError('CANCELLED', `restore cancelled: ${this.describe(where)}`);
  }

  /** The error of a merge that broke off, with what it had written. */
  failure(err: unknown, where: string): DvomError {
    const e = err instanceof DvomError ? err : new DvomError('ERROR', (err as Error).message, { cause: err });
    if (e.code === 'CANCELLED') return this.cancelled(where);
    return new DvomError(e.code, `${e.message}; ${this.describe(where)}`, { cause: err });
  }
}
