import { ApiError } from '../../../shared/api/client.ts';
import type { ApiErrorCode, ApiErrorShape } from '../../../shared/api/errors.ts';
import { errorText } from '../../api/error-text.ts';

/** The code of an API error, or '' for anything else. */
export function errorCode(err: unknown): ApiErrorCode | '' {
  return err instanceof ApiError ? err.code : '';
}

/** The engine needs a password it does not have (none given, or the remembered one is out of date). */
export function needsPassword(err: unknown): boolean {
  // A wrong *remembered* password too: the user never typed one, so ask.
  const code = errorCode(err);
  return code === 'PASSWORD_REQUIRED' || code === 'REMEMBERED_PASSWORD_WRONG';
}

export function isWrongPassword(err: unknown): boolean {
  return errorCode(err) === 'WRONG_PASSWORD';
}

export const WRONG_PASSWORD = 'Wrong password. Check it (including upper and lower case) and try again.';

/**
 * A message for people: "Wrong password" in plain words, the engine's own
 * message otherwise (it says how to start Docker, which bucket is missing…).
 */
export function friendlyError(err: unknown): string {
  if (errorCode(err) === 'WRONG_PASSWORD' && !needsPassword(err)) return WRONG_PASSWORD;
  return errorText(err);
}

/** The same for an error shape that arrived inside a finished job. */
export function friendlyJobError(error: ApiErrorShape | null): string {
  if (!error) return 'It failed without saying why.';
  return friendlyError(new ApiError(error));
}
