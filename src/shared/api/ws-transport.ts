import type { ApiTransport } from './client.ts';
import type { ApiErrorShape } from './dto.ts';
import type { CallMessage, ServerMessage } from './protocol.ts';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: ApiErrorShape) => void;
}

/**
 * The API over `dvom serve`'s WebSocket (browsers and Node's global
 * WebSocket). Calls made before the socket opens wait for it; if the socket
 * closes, pending calls fail with code DISCONNECTED.
 */
export class WebSocketTransport implements ApiTransport {
  private readonly socket: WebSocket;
  private readonly opened: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: string, payload: unknown) => void>();
  private readonly closeListeners = new Set<() => void>();
  private nextId = 1;
  private closed = false;

  /** `createSocket` lets Node callers use a client that can send an Origin header (browsers always do). */
  constructor(url: string, createSocket: (url: string) => WebSocket = (u) => new WebSocket(u)) {
    this.socket = createSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve(), { once: true });
      this.socket.addEventListener('error', () => reject({ code: 'DISCONNECTED', message: 'cannot connect to the DVOM server' }), { once: true });
    });
    this.opened.catch(() => undefined);
    this.socket.addEventListener('message', (e) => this.receive(String(e.data)));
    this.socket.addEventListener('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject({ code: 'DISCONNECTED', message: 'the connection to the DVOM server was lost' });
      this.pending.clear();
      for (const listener of this.closeListeners) listener();
    });
  }

  /** Resolves once the socket is open; rejects (DISCONNECTED) if it never opens. */
  ready(): Promise<void> {
    return this.opened;
  }

  /** Calls `listener` once the socket has closed (lost, refused or closed here). */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.add(listener);
  }

  async invoke(method: string, params: unknown): Promise<unknown> {
    await this.opened;
    if (this.closed) throw { code: 'DISCONNECTED', message: 'the connection to the DVOM server was lost' };
    const id = this.nextId++;
    const message: CallMessage = { type: 'call', id, method, params };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify(message));
    });
  }

  subscribe(listener: (event: string, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.socket.close();
  }

  private receive(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'event') {
      for (const listener of this.listeners) listener(message.event, message.payload);
      return;
    }
    if (message.id === null) return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'result') pending.resolve(message.result);
    else pending.reject(message.error);
  }
}
