import type { ApiErrorCode } from '../../shared/api/errors.ts';
import { DvomError, type ErrorCode } from '../engine/errors.ts';

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

/** The password remembered in the keychain no longer opens the backup (exit code 3, like any wrong password). */
export const rememberedPasswordWrong = (message: string) => new DetailedError('WRONG_PASSWORD', 'REMEMBERED_PASSWORD_WRONG', message);

/** A restore destination holds data and --force (or the UI's confirmation) was not given (exit code 2). */
export const destinationNotEmpty = (message: string) => new DetailedError('USAGE', 'DESTINATION_NOT_EMPTY', message);

/** An enabled schedule whose encrypted backup's password is not in the keychain (exit code 3, like any missing password). */
export const passwordNotRemembered = (message: string, problem: string) =>
  new DetailedError('PASSWORD_REQUIRED', 'PASSWORD_NOT_REMEMBERED', message, { field: 'password', problem });
