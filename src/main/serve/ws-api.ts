import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, type CallMessage, type ServerMessage } from '../../shared/api/protocol.ts';
import type { Dispatcher } from '../app/dispatcher.ts';
import type { EventHub } from '../services/event-hub.ts';

export interface WsApiOptions {
  /** Whether the upgrade request carries a live session (its cookie). */
  authorized(req: IncomingMessage): boolean;
  /** Origins a browser page may connect from (this server's own). */
  allowedOrigins: string[];
  dispatcher: Dispatcher;
  events: EventHub;
  log?: (message: string) => void;
}

function isCall(value: unknown): value is CallMessage {
  const v = value as Partial<CallMessage> | null;
  return !!v && v.type === 'call' && Number.isSafeInteger(v.id) && typeof v.method === 'string';
}

/**
 * The app API over a WebSocket at /api. Every upgrade must carry a session
 * (its cookie) and come from an allowed Origin; anything else is refused before
 * a socket exists. Bad messages get an error reply; the server keeps running.
 */
export class WsApi {
  private readonly wss: WebSocketServer;
  private readonly options: WsApiOptions;

  constructor(options: WsApiOptions) {
    this.options = options;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    this.wss.on('connection', (socket) => this.attach(socket));
  }

  /** Handles an HTTP upgrade request; refuses it with 401/403/404 unless it is allowed. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string) => {
      this.options.log?.(`refused WebSocket connection: ${text}`);
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!this.options.authorized(req)) return refuse(401, 'Unauthorized');
    const origin = req.headers.origin;
    if (!origin || !this.options.allowedOrigins.includes(origin)) return refuse(403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private attach(socket: WebSocket): void {
    const send = (message: ServerMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const unsubscribe = this.options.events.subscribe((event, payload) => send({ type: 'event', event, payload }));
    socket.on('close', unsubscribe);
    socket.on('error', () => socket.terminate());
    socket.on('message', (data, isBinary) => {
      if (isBinary) return send({ type: 'error', id: null, error: { code: 'BAD_REQUEST', message: 'binary messages are not accepted' } });
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return send({ type: 'error', id: null, error: { code: 'BAD_REQUEST', message: 'message is not valid JSON' } });
      }
      if (!isCall(message)) {
        return send({ type: 'error', id: null, error: { code: 'BAD_REQUEST', message: 'expected {type:"call", id, method, params}' } });
      }
      void this.options.dispatcher.dispatch(message.method, message.params).then((outcome) =>
        send(outcome.ok ? { type: 'result', id: message.id, result: outcome.result } : { type: 'error', id: message.id, error: outcome.error }),
      );
    });
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
