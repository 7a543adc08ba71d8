import type { Dispatcher } from '../app/dispatcher.ts';
import type { EventHub } from '../services/event-hub.ts';

/** IPC channel names; the preload uses the same. */
export const INVOKE_CHANNEL = 'dvom:invoke';
export const EVENT_CHANNEL = 'dvom:event';

/** The parts of Electron's ipcMain / event objects this module needs (so it runs without Electron in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface InvokeEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}

export interface EventTarget {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/**
 * The app API over Electron IPC. Only our own page's main frame may call;
 * results come back as {ok, result} or {ok: false, error: {code, message}}
 * (thrown errors would lose their code crossing IPC).
 */
export function registerIpcApi(
  ipcMain: IpcMainLike,
  dispatcher: Dispatcher,
  events: EventHub,
  isTrustedUrl: (url: string) => boolean,
  targets: () => EventTarget[],
): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, method, params) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent || !isTrustedUrl(frame.url)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'calls are accepted only from the DVOM window' } };
    }
    return dispatcher.dispatch(method, params);
  });
  const unsubscribe = events.subscribe((name, payload) => {
    for (const target of targets()) if (!target.isDestroyed()) target.send(EVENT_CHANNEL, name, payload);
  });
  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    unsubscribe();
  };
}
