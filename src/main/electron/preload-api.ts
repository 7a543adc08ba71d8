import type { ApiTransport } from '../../shared/api/client.ts';
import type { DispatchOutcome } from '../app/dispatcher.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipc-api.ts';

/** The parts of Electron's ipcRenderer the preload needs (so it runs without Electron in tests). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): void;
}

/**
 * The object the preload exposes to the page as `window.dvom`: exactly the
 * ApiTransport, never ipcRenderer itself. Every subscribe returns its own
 * unsubscribe.
 */
export function createPreloadApi(ipc: IpcRendererLike): ApiTransport {
  return {
    async invoke(method: string, params: unknown): Promise<unknown> {
      const outcome = (await ipc.invoke(INVOKE_CHANNEL, String(method), params)) as DispatchOutcome;
      if (outcome.ok) return outcome.result;
      throw outcome.error;
    },
    subscribe(listener: (event: string, payload: unknown) => void): () => void {
      const wrapped = (_event: unknown, name: unknown, payload: unknown) => listener(String(name), payload);
      ipc.on(EVENT_CHANNEL, wrapped);
      return () => ipc.removeListener(EVENT_CHANNEL, wrapped);
    },
  };
}
