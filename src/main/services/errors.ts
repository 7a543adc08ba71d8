import type { ApiErrorShape } from '../../shared/api/errors.ts';
import { DetailedError, DvomError } from '../engine/errors.ts';

/** An error as every front end reports it: the API sends code, message (and field); the CLI prints the message and exits with exitCode. */
export interface ErrorReport extends ApiErrorShape {
  exitCode: number;
}

const EXIT_ERROR = 1;
const EXIT_INTEGRITY = 5;

/**
 * The one error mapper of the CLI and the API. Engine and service errors keep
 * their code and user-facing message; a few system errors get words a user
 * can act on; anything else is INTERNAL, without stack or internals (those
 * go to the host's log, or stderr with DVOM_DEBUG).
 */
export function describeError(err: unknown): ErrorReport {
  if (err instanceof DetailedError) {
    const about = err.field ? { field: err.field, ...(err.problem ? { problem: err.problem } : {}) } : {};
    return { code: err.detail, message: err.message, ...about, exitCode: err.exitCode };
  }
  if (err instanceof DvomError) return { code: err.code, message: err.message, exitCode: err.exitCode };
  const e = err as { name?: string; message?: string; code?: string } | null;
  if (e?.name === 'TarFormatError') return { code: 'INTEGRITY', message: `invalid archive: ${e.message}`, exitCode: EXIT_INTEGRITY };
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return { code: 'ERROR', message: `permission denied: ${e.message}`, exitCode: EXIT_ERROR };
  if (e?.code === 'ENOSPC') return { code: 'ERROR', message: `no space left on device: ${e.message}`, exitCode: EXIT_ERROR };
  return { code: 'INTERNAL', message: `unexpected error: ${e?.message ?? String(err)}`, exitCode: EXIT_ERROR };
}

/** What crosses the API boundary: the report without the exit code. */
export function toApiError(err: unknown): ApiErrorShape {
  const { exitCode: _exitCode, ...shape } = describeError(err);
  return shape;
}
