/**
 * Every code an API error can carry. The renderer decides by these codes (and
 * by `field`), never by the English of a message.
 */
export const API_ERROR_CODES = [
  // The engine's own codes (src/main/engine/errors.ts).
  'ERROR',
  'USAGE',
  'WRONG_PASSWORD',
  'PASSWORD_REQUIRED',
  'NOT_FOUND',
  'INTEGRITY',
  'LOCKED',
  /** A writer's lock vanished or could not be refreshed: it stopped before making anything visible. */
  'LOCK_LOST',
  'ALREADY_EXISTS',
  'CANCELLED',
  'DOCKER_UNAVAILABLE',
  /** Append-only mode: what was to be deleted is held by S3 Object Lock until a date the message gives. */
  'RETAINED',
  // Finer codes for cases the UI treats apart (DetailedError, src/main/engine/errors.ts).
  /** The password remembered in the keychain no longer opens the backup: ask for the current one. */
  'REMEMBERED_PASSWORD_WRONG',
  /** A restore destination holds data and replacing it was not confirmed. */
  'DESTINATION_NOT_EMPTY',
  /**
   * An enabled schedule's backup is encrypted (or is to be created encrypted)
   * and the keychain does not hold its password, so its runs could not open
   * it; `field` is 'password'. Save it disabled, or remember the password.
   */
  'PASSWORD_NOT_REMEMBERED',
  /** The chosen Docker engine's endpoint has a scheme DVOM cannot connect to. */
  'DOCKER_HOST_UNSUPPORTED',
  /** A container's backup hook (label dvom.backup.pre / .post) failed; the message carries its output. */
  'HOOK_FAILED',
  // The API boundary and its transports.
  /** Params do not match the contract; `field` names the param. */
  'INVALID_ARGUMENT',
  'UNKNOWN_METHOD',
  /** A WebSocket message that is not a call. */
  'BAD_REQUEST',
  /** An IPC call from anywhere but the app's own window. */
  'FORBIDDEN',
  /** Anything unexpected (details only in the host's log). */
  'INTERNAL',
  'TRANSPORT',
  'DISCONNECTED',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorShape {
  code: ApiErrorCode;
  /** For people: what went wrong and what to do about it. */
  message: string;
  /** The param the error is about ('backup', 'schedule.when.at'), when there is one. */
  field?: string;
  /** With `field`: what is wrong with that param, to show next to it. */
  problem?: string;
}

export function isApiErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && (API_ERROR_CODES as readonly string[]).includes(code);
}
