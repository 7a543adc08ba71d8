import { ApiError } from '../../../shared/api/client.ts';
import { errorText } from '../../api/error-text.ts';

/** The code of an API error, or '' for anything else. */
export function errorCode(err: unknown): string {
  return err instanceof ApiError ? err.code : '';
}

/** The engine needs a password it does not have (none given, or the remembered one is out of date). */
export function needsPassword(err: unknown): boolean {
  const code = errorCode(err);
  if (code === 'PASSWORD_REQUIRED') return true;
  // A wrong *remembered* password: the user never typed one, so ask.
  return code === 'WRONG_PASSWORD' && err instanceof ApiError && /remembered/.test(err.message);
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
export function friendlyJobError(error: { code: string; message: string } | null): string {
  if (!error) return 'It failed without saying why.';
  return friendlyError(new ApiError(error));
}
