import { ApiError } from '../../../shared/api/client.ts';
import type { ApiErrorCode } from '../../../shared/api/errors.ts';
import { errorText } from '../../api/error-text.ts';

export type ErrorPlace = 'name' | 'password' | 'form';

export interface PlacedError {
  place: ErrorPlace;
  code: ApiErrorCode;
  text: string;
}

const FIELDS: Record<string, ErrorPlace> = { backup: 'name', password: 'password' };
const PASSWORD_CODES: readonly ApiErrorCode[] = ['PASSWORD_REQUIRED', 'WRONG_PASSWORD', 'REMEMBERED_PASSWORD_WRONG'];

/** Where a failed jobs.startBackup is shown: next to the field it is about, else above the buttons. */
export function placeStartError(err: unknown): PlacedError {
  const code = err instanceof ApiError ? err.code : 'ERROR';
  if (PASSWORD_CODES.includes(code)) return { place: 'password', code, text: errorText(err) };
  if (err instanceof ApiError && err.field && err.problem) {
    // The param's path ('backup', 'stopContainers.0'): its first part is the form field.
    const place = FIELDS[err.field.split('.')[0]!] ?? 'form';
    return { place, code, text: errorText(new ApiError({ code, message: err.problem })) };
  }
  return { place: 'form', code, text: errorText(err) };
}
