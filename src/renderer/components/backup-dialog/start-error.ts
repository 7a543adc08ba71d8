import { ApiError } from '../../../shared/api/client.ts';
import { errorText } from '../../api/error-text.ts';

export type ErrorPlace = 'name' | 'password' | 'form';

export interface PlacedError {
  place: ErrorPlace;
  code: string;
  text: string;
}

const FIELDS: Record<string, ErrorPlace> = { backup: 'name', password: 'password' };

/** Where a failed jobs.startBackup is shown: next to the field it is about, else above the buttons. */
export function placeStartError(err: unknown): PlacedError {
  const code = err instanceof ApiError ? err.code : 'ERROR';
  if (code === 'PASSWORD_REQUIRED' || code === 'WRONG_PASSWORD') return { place: 'password', code, text: errorText(err) };
  if (code === 'INVALID_ARGUMENT' && err instanceof ApiError) {
    // "jobs.startBackup: backup: a backup name: …": the field, then the rule.
    const m = /^[\w.]+: ([\w]+)[\w.]*: (.+)$/.exec(err.message);
    if (m) return { place: FIELDS[m[1]!] ?? 'form', code, text: errorText(new ApiError({ code, message: m[2]! })) };
  }
  return { place: 'form', code, text: errorText(err) };
}
