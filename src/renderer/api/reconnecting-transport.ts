import type { ApiTransport } from '../../shared/api/client.ts';
import { WebSocketTransport } from '../../shared/api/ws-transport.ts';

type Listener = (event: string, payload: unknown) => void;

function isDisconnected(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'DISCONNECTED';
}

/**
 * A WebSocketTransport that opens a fresh socket for the next call once the
 * current one failed to connect or was lost, so "Retry" in the UI really
 * retries. Subscribers stay attached across sockets.
 */
export class ReconnectingTransport implements ApiTransport {
  private readonly url: string;
  private readonly listeners = new Set<Listener>();
  private socket: WebSocketTransport;

  constructor(url: string) {
    this.url = url;
    this.socket = this.open();
  }

  async invoke(method: string, params: unknown): Promise<unknown> {
    const socket = this.socket;
    try {
      return await socket.invoke(method, params);
    } catch (err) {
      if (isDisconnected(err) && socket === this.socket) {
        socket.close();
        this.socket = this.open();
      }
      throw err;
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private open(): WebSocketTransport {
    const socket = new WebSocketTransport(this.url);
    socket.subscribe((event, payload) => {
      if (socket !== this.socket) return;
      for (const listener of this.listeners) listener(event, payload);
    });
    return socket;
  }
}
