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
    return `${text}. Each link dvom serve prints logs one browser in, once: open a new one (dvom serve prints another on SIGUSR2), or start dvom serve again.`;
  }
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
