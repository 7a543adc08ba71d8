import { create } from 'zustand';
import type { ConnectionStatus } from '../api/reconnecting-transport.ts';

interface ConnectionState {
  status: ConnectionStatus;
  /** Tries to connect now instead of waiting for the next attempt (none in Electron). */
  retryNow(): void;
}

/** How the page's connection to the engine stands, for the banner; connect.ts keeps it current. */
export const useConnection = create<ConnectionState>(() => ({
  status: { state: 'connected', reconnects: 0 },
  retryNow: () => undefined,
}));
