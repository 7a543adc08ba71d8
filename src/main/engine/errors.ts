import type { ApiErrorCode } from '../../shared/api/errors.ts';

/**
 * Engine errors carry a stable code and the CLI exit code they map to, so every
 * front end (CLI, IPC, WebSocket) can report them the same way.
 */
export type ErrorCode =
  | 'ERROR'
  | 'USAGE'
  | 'WRONG_PASSWORD'
  | 'PASSWORD_REQUIRED'
  | 'NOT_FOUND'
  | 'INTEGRITY'
  | 'LOCKED'
  | 'LOCK_LOST'
  | 'ALREADY_EXISTS'
  | 'CANCELLED'
  | 'DOCKER_UNAVAILABLE'
  | 'RETAINED';

const EXIT_CODES: Record<ErrorCode, number> = {
  ERROR: 1,
  USAGE: 2,
  WRONG_PASSWORD: 3,
  PASSWORD_REQUIRED: 3,
  NOT_FOUND: 4,
  INTEGRITY: 5,
  LOCKED: 1,
  LOCK_LOST: 1,
  ALREADY_EXISTS: 1,
  CANCELLED: 130,
  DOCKER_UNAVAILABLE: 1,
  RETAINED: 1,
};

export class DvomError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DvomError';
    this.code = code;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/**
 * An error with a finer code than the engine's, for cases the UI treats apart
 * (a remembered password that went stale, a restore destination that is not
 * empty). `code` still decides the CLI's exit code; the API reports `detail`.
 */
export class DetailedError extends DvomError {
  readonly detail: ApiErrorCode;
  readonly field: string | undefined;
  /** With `field`: what is wrong with it, in words to show next to it. */
  readonly problem: string | undefined;
  constructor(code: ErrorCode, detail: ApiErrorCode, message: string, options: { field?: string; problem?: string; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.name = 'DetailedError';
    this.detail = detail;
    this.field = options.field;
    this.problem = options.problem;
  }
}

/** A restore destination holds data and --force (or the UI's confirmation) was not given (exit code 2). */
export const destinationNotEmpty = (message: string) => new DetailedError('USAGE', 'DESTINATION_NOT_EMPTY', message);

/** A missing object in a store (as opposed to a missing store, bucket or backup). */
export class ObjectNotFoundError extends DvomError {
  constructor(message: string) {
    super('NOT_FOUND', message);
    this.name = 'ObjectNotFoundError';
  }
}

export const usageError = (message: string) => new DvomError('USAGE', message);
export const notFound = (message: string) => new DvomError('NOT_FOUND', message);
export const integrityError = (message: string, cause?: unknown) => new DvomError('INTEGRITY', message, { cause });
export const wrongPassword = (message: string) => new DvomError('WRONG_PASSWORD', message);

export function isDvomError(err: unknown, code?: ErrorCode): err is DvomError {
  return err instanceof DvomError && (code === undefined || err.code === code);
}

/** Throws the standard cancellation error if the signal fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DvomError('CANCELLED', 'operation cancelled');
}
