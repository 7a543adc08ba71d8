import type { ApiTransport } from '../../shared/api/client.ts';
import { ReconnectingTransport } from './reconnecting-transport.ts';

declare global {
  interface Window {
    /** The API transport the Electron preload exposes; absent in a browser. */
    dvom?: ApiTransport;
  }
}

export interface Connection {
  via: 'electron' | 'browser';
  transport: ApiTransport;
}

/**
 * Picks the transport once, at start: the preload's object in Electron, else
 * the WebSocket of `dvom serve`. That one is authorised by the session cookie
 * the server set when this browser opened its one-time link (the page never
 * sees it); without one, calls fail as DISCONNECTED and the page says so.
 */
export function connect(win: Window = window): Connection {
  if (win.dvom) return { via: 'electron', transport: win.dvom };
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  return { via: 'browser', transport: new ReconnectingTransport(`${scheme}://${win.location.host}/api`) };
}
