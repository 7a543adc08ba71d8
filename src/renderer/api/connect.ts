import type { ApiTransport } from '../../shared/api/client.ts';
import { ReconnectingTransport } from './reconnecting-transport.ts';

declare global {
  interface Window {
    /** The API transport the Electron preload exposes; absent in a browser. */
    dvom?: ApiTransport;
  }
}

const TOKEN_KEY = 'dvom.token';

export type Connection =
  | { kind: 'ready'; via: 'electron' | 'browser'; transport: ApiTransport }
  /** A browser page opened without the token `dvom serve` puts in its link. */
  | { kind: 'no-token' };

/**
 * Picks the transport once, at start: the preload's object in Electron, else
 * the WebSocket of `dvom serve`, authorised by the token in the page's link.
 * The token leaves the address bar at once and stays in this tab's
 * sessionStorage so a reload still works.
 */
export function connect(win: Window = window): Connection {
  if (win.dvom) return { kind: 'ready', via: 'electron', transport: win.dvom };
  const token = takeToken(win);
  if (!token) return { kind: 'no-token' };
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${win.location.host}/api?token=${encodeURIComponent(token)}`;
  return { kind: 'ready', via: 'browser', transport: new ReconnectingTransport(url) };
}

function takeToken(win: Window): string | null {
  const address = new URL(win.location.href);
  const fromUrl = address.searchParams.get('token');
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage disabled: the token still works until the page is reloaded.
    }
    address.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', address.pathname + address.search + address.hash);
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
