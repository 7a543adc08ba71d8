import { ApiError } from '../../../shared/api/client.ts';
import { errorText } from '../../api/error-text.ts';
import { RETENTION_KEYS, type Field } from './draft.ts';

const WHEN_FIELDS = new Set(['every', 'at', 'days', 'expression']);

/** Where a failed schedules.save is shown: next to the field it is about, else above the buttons. */
export function placeSaveError(err: unknown): { field: Field; text: string } {
  if (err instanceof ApiError && err.field && err.problem) {
    // The param's path ('schedule.when.expression'), inside the schedule.
    const [head, sub] = err.field.split('.').filter((p) => p !== 'schedule');
    const text = errorText(new ApiError({ code: err.code, message: err.problem }));
    if (head === 'when' && sub && WHEN_FIELDS.has(sub)) return { field: sub as Field, text };
    if (head === 'retention' && sub && (RETENTION_KEYS as readonly string[]).includes(sub)) return { field: `retention.${sub}` as Field, text };
    if (head === 'name' || head === 'volumes' || head === 'backup' || head === 'target' || head === 'stopContainers' || head === 'testRestoreEvery') {
      return { field: head, text };
    }
    if (head === 'replaces') return { field: 'name', text };
    // The keychain has no password for the backup (PASSWORD_NOT_REMEMBERED), or one was given where none goes.
    if (head === 'password') return { field: 'password', text };
  }
  if (err instanceof ApiError && err.code === 'ALREADY_EXISTS') return { field: 'name', text: errorText(err) };
  return { field: 'form', text: errorText(err) };
}
