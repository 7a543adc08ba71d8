import { ApiError } from '../../shared/api/client.ts';

/**
 * What to tell the user about a failed call: the engine's own message (it is
 * written for people), plus a hint when the page cannot reach its server.
 * Never a stack trace.
 */
export function errorText(err: unknown): string {
  const message = err instanceof ApiError || err instanceof Error ? err.message : String(err);
  const text = message ? message.charAt(0).toUpperCase() + message.slice(1) : 'Something went wrong';
  if (err instanceof ApiError && err.code === 'DISCONNECTED') {
    return `${text}. If you opened DVOM from a link, it may be out of date: open the link that dvom serve printed, or start dvom serve again.`;
  }
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
