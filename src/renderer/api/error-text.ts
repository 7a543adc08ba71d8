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
    // The page reconnects by itself (reconnecting-transport.ts); a link is only needed by a tab that has no session.
    return `${text}. This page reconnects by itself while dvom serve runs. Each link dvom serve prints logs one browser in, once: a tab that was never logged in needs a new one (dvom serve prints another on SIGUSR2).`;
  }
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
