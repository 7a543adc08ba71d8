import type { ApiTransport } from '../../shared/api/client.ts';
import { API_EVENTS } from '../../shared/api/contract.ts';
import { useConnection } from '../state/connection-store.ts';
import { ReconnectingTransport } from './reconnecting-transport.ts';
import { tabKey } from './tab-key.ts';

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

/** Whether `dvom serve` answers at all (its pages need no session), to tell "stopped" from "refuses this tab". */
async function serverAnswers(win: Window): Promise<boolean> {
  const res = await win.fetch(`${win.location.origin}/`, { method: 'HEAD', cache: 'no-store' });
  return res.ok;
}

/**
 * Picks the transport once, at start: the preload's object in Electron, else
 * the WebSocket of `dvom serve`. That one is authorised by the session cookie
 * the server set when this browser opened its one-time link (the page never
 * sees it, and a restarted server still knows it); it reconnects by itself,
 * and the connection store tells the banner how it stands.
 */
export function connect(win: Window = window): Connection {
  if (win.dvom) return { via: 'electron', transport: win.dvom };
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const transport = new ReconnectingTransport(`${scheme}://${win.location.host}/api`, {
    onStatus: (status) => useConnection.setState({ status }),
    serverAnswers: () => serverAnswers(win),
    tabKey: tabKey(win),
    // After an outage every list may be out of date: the stores reload on these.
    resyncEvents: API_EVENTS.filter((e) => e.endsWith('.changed')),
  });
  useConnection.setState({ status: transport.current(), retryNow: () => transport.retryNow() });
  // Back online, or the tab shown again: no need to wait for the next attempt.
  win.addEventListener('online', () => transport.retryNow());
  win.document.addEventListener('visibilitychange', () => {
    if (win.document.visibilityState === 'visible') transport.retryNow();
  });
  return { via: 'browser', transport };
}
