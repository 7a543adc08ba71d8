import type { ApiTransport } from './client.ts';
import type { ApiErrorShape } from './dto.ts';
import type { ClientMessage, ServerMessage } from './protocol.ts';

/** A browser tab's key for `dvom serve` (see protocol.ts): how a restarted server knows this tab. */
export interface TabKey {
  /** The key to bind while it is bound nowhere yet (sent once: a sent key may reach whoever holds the port). */
  toBind(): string | undefined;
  /** The server took the key toBind() gave. */
  bound(): void;
  /** HMAC-SHA256 of a challenge's nonce with the tab's key (base64url); undefined when the tab has none. */
  prove(nonce: string): Promise<string | undefined>;
}

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

  private readonly tabKey: TabKey | undefined;
  private welcomed: (() => void) | undefined;

  /**
   * `createSocket` lets Node callers use a client that can send an Origin header (browsers always do).
   * With `tabKey` the socket says hello first and is open once the server welcomes it (after a proof
   * of the key when the server asks for one).
   */
  constructor(url: string, createSocket: (url: string) => WebSocket = (u) => new WebSocket(u), tabKey?: TabKey) {
    this.socket = createSocket(url);
    this.tabKey = tabKey;
    this.opened = new Promise((resolve, reject) => {
      if (tabKey) {
        this.socket.addEventListener(
          'open',
          () => {
            const bind = tabKey.toBind();
            this.welcomed = () => {
              if (bind) tabKey.bound();
              resolve();
            };
            this.send({ type: 'hello', ...(bind ? { bind } : {}) });
          },
          { once: true },
        );
      } else {
        this.socket.addEventListener('open', () => resolve(), { once: true });
      }
      const fail = () => reject({ code: 'DISCONNECTED', message: 'cannot connect to the DVOM server' });
      this.socket.addEventListener('error', fail, { once: true });
      // Closed before the welcome (e.g. the key was not proven): as if it never connected.
      this.socket.addEventListener('close', fail, { once: true });
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
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'call', id, method, params });
    });
  }

  private send(message: ClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  subscribe(listener: (event: string, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.socket.close();
  }

  private async answer(nonce: string): Promise<void> {
    const mac = typeof nonce === 'string' ? await this.tabKey?.prove(nonce).catch(() => undefined) : undefined;
    // Without a key there is nothing to prove: the server closes the socket, and the page says this tab is not logged in.
    if (mac === undefined) return this.socket.close();
    if (this.socket.readyState === this.socket.OPEN) this.send({ type: 'proof', mac });
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
    if (message.type === 'welcome') return this.welcomed?.();
    if (message.type === 'challenge') {
      void this.answer(message.nonce);
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
