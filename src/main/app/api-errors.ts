import type { ApiErrorShape } from '../../shared/api/dto.ts';
import { DvomError } from '../engine/errors.ts';

/**
 * Errors cross the boundary as {code, message}: engine errors keep their code
 * and user-facing message; anything unexpected becomes a generic message
 * without stack or internals (those go to the host's log only).
 */
export function toApiError(err: unknown): ApiErrorShape {
  if (err instanceof DvomError) return { code: err.code, message: err.message };
  const e = err as { name?: string; message?: string; code?: string } | null;
  if (e?.name === 'TarFormatError') return { code: 'INTEGRITY', message: `invalid archive: ${e.message}` };
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return { code: 'ERROR', message: `permission denied: ${e.message}` };
  if (e?.code === 'ENOSPC') return { code: 'ERROR', message: 'no space left on the device holding the backups' };
  return { code: 'INTERNAL', message: `unexpected error: ${e?.message ?? String(err)}` };
}
