import type { ApiTransport } from '../../shared/api/client.ts';
import { WebSocketTransport, type TabKey } from '../../shared/api/ws-transport.ts';

type Listener = (event: string, payload: unknown) => void;

/**
 * Where the connection to `dvom serve` stands:
 * - connecting: the first socket is opening;
 * - connected: a socket is open;
 * - lost: the server cannot be reached (stopped, restarting); it is tried again at `retryAt`;
 * - refused: the server answers but refuses this tab's socket (its session is unknown there);
 *   tried again too, as a login link opened in another tab gives this browser a session.
 */
export interface ConnectionStatus {
  state: 'connecting' | 'connected' | 'lost' | 'refused';
  /** When the last open socket closed (ms), while not connected after having been. */
  lostAt?: number;
  /** When the next attempt starts (ms), while one is waiting. */
  retryAt?: number;
  /** How many connections were made again after one was lost (the page reloads its data each time). */
  reconnects: number;
}

export interface ReconnectOptions {
  /** Called on every change of the status. */
  onStatus?(status: ConnectionStatus): void;
  /** Whether the server answers plain HTTP (to tell "stopped" from "refuses this tab"). */
  serverAnswers?(): Promise<boolean>;
  /** Events sent to subscribers after a reconnect: each makes its store reload what may have changed meanwhile. */
  resyncEvents?: readonly string[];
  createSocket?(url: string): WebSocket;
  /** This tab's key, for a restarted server (see protocol.ts). */
  tabKey?: TabKey;
  now?(): number;
}

/** Waits between attempts: quick at first (a restart takes a second or two), then every 15 s at most. */
export const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 15000] as const;

/**
 * A WebSocketTransport that comes back by itself: when the socket is lost or
 * cannot be opened, a new one is tried after a growing delay, and at once
 * when a call is made (so "Retry" in the UI really retries) or retryNow() is
 * called. Subscribers stay attached across sockets and hear `resyncEvents`
 * after each reconnect.
 */
export class ReconnectingTransport implements ApiTransport {
  private readonly url: string;
  private readonly options: ReconnectOptions;
  private readonly listeners = new Set<Listener>();
  private socket: WebSocketTransport;
  private socketOpen = false;
  private everConnected = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private status: ConnectionStatus = { state: 'connecting', reconnects: 0 };
  private closed = false;

  constructor(url: string, options: ReconnectOptions = {}) {
    this.url = url;
    this.options = options;
    this.socket = this.open();
  }

  /** The current status (also pushed through options.onStatus). */
  current(): ConnectionStatus {
    return this.status;
  }

  async invoke(method: string, params: unknown): Promise<unknown> {
    if (this.timer !== undefined) this.retryNow();
    return this.socket.invoke(method, params);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tries to connect now instead of waiting (a no-op while connected or already trying). */
  retryNow(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.socket = this.open();
  }

  /** Closes the socket and stops trying (the page never does; tests and tools do). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.socket.close();
  }

  private setStatus(patch: Omit<ConnectionStatus, 'reconnects'> & { reconnects?: number }): void {
    this.status = { reconnects: this.status.reconnects, ...patch };
    this.options.onStatus?.(this.status);
  }

  private open(): WebSocketTransport {
    const socket = new WebSocketTransport(this.url, this.options.createSocket, this.options.tabKey);
    if (this.status.state === 'connected' || this.status.retryAt !== undefined) {
      const { retryAt: _waited, ...rest } = this.status;
      this.setStatus(rest);
    }
    socket.subscribe((event, payload) => {
      if (socket === this.socket) this.emit(event, payload);
    });
    socket.ready().then(
      () => {
        if (socket !== this.socket) return;
        this.socketOpen = true;
        this.failures = 0;
        const reconnected = this.everConnected;
        this.everConnected = true;
        this.setStatus({ state: 'connected', reconnects: this.status.reconnects + (reconnected ? 1 : 0) });
        if (reconnected) for (const event of this.options.resyncEvents ?? []) this.emit(event, {});
      },
      () => undefined,
    );
    socket.onClose(() => {
      if (socket !== this.socket) return;
      const wasOpen = this.socketOpen;
      this.socketOpen = false;
      void this.scheduleRetry(wasOpen);
    });
    return socket;
  }

  private async scheduleRetry(wasOpen: boolean): Promise<void> {
    const now = this.options.now ?? Date.now;
    const lostAt = wasOpen ? now() : this.status.lostAt;
    // A socket that never opened: stopped server, or one that refuses this tab?
    const answers = !wasOpen && this.options.serverAnswers ? await this.options.serverAnswers().catch(() => false) : false;
    if (this.timer !== undefined || this.socketOpen || this.closed) return;
    const delay = wasOpen ? RETRY_DELAYS_MS[0] : RETRY_DELAYS_MS[Math.min(this.failures++, RETRY_DELAYS_MS.length - 1)]!;
    const retryAt = now() + delay;
    this.setStatus({ state: answers ? 'refused' : 'lost', retryAt, ...(lostAt !== undefined ? { lostAt } : {}) });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.socket = this.open();
    }, delay);
  }

  private emit(event: string, payload: unknown): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}
