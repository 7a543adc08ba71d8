import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, type CallMessage, type ServerMessage } from '../../shared/api/protocol.ts';
import type { Dispatcher } from '../app/dispatcher.ts';
import type { EventHub } from '../services/event-hub.ts';
import type { SessionGrant } from './sessions.ts';

export interface WsApiOptions {
  /** The live session the upgrade request carries (its cookie), or undefined. */
  authorized(req: IncomingMessage): SessionGrant | undefined;
  /** A tab bound its key to a session (to be saved). */
  onBound?(): void;
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

/** Closes a socket that did not prove its tab key (4401: like HTTP 401, in the range for applications). */
const UNPROVEN = 4401;

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
  }

  /** Handles an HTTP upgrade request; refuses it with 401/403/404 unless it is allowed. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string) => {
      this.options.log?.(`refused WebSocket connection: ${text}`);
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    const grant = this.options.authorized(req);
    if (!grant) return refuse(401, 'Unauthorized');
    const origin = req.headers.origin;
    if (!origin || !this.options.allowedOrigins.includes(origin)) return refuse(403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, grant));
  }

  private attach(socket: WebSocket, grant: SessionGrant): void {
    const send = (message: ServerMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    let unsubscribe: (() => void) | undefined;
    // Events (job progress) only once the connection may use the API.
    const admit = () => (unsubscribe ??= this.options.events.subscribe((event, payload) => send({ type: 'event', event, payload })));
    let proven = !grant.needsProof;
    let nonce: string | undefined;
    if (proven) admit();
    socket.on('close', () => unsubscribe?.());
    socket.on('error', () => socket.terminate());
    socket.on('message', (data, isBinary) => {
      if (isBinary) return send({ type: 'error', id: null, error: { code: 'BAD_REQUEST', message: 'binary messages are not accepted' } });
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return send({ type: 'error', id: null, error: { code: 'BAD_REQUEST', message: 'message is not valid JSON' } });
      }
      const m = message as { type?: unknown; bind?: unknown; mac?: unknown } | null;
      if (m?.type === 'hello') {
        // A session read back after a restart: the tab proves its key before anything else.
        if (!proven) {
          nonce = randomBytes(32).toString('base64url');
          return send({ type: 'challenge', nonce });
        }
        if (typeof m.bind === 'string' && grant.bind(m.bind)) this.options.onBound?.();
        return send({ type: 'welcome' });
      }
      if (m?.type === 'proof') {
        if (proven) return send({ type: 'welcome' });
        if (nonce === undefined || typeof m.mac !== 'string' || !grant.proves(nonce, m.mac)) {
          this.options.log?.('refused WebSocket connection: a restored session without its tab key');
          return socket.close(UNPROVEN, 'tab key not proven');
        }
        proven = true;
        nonce = undefined;
        admit();
        return send({ type: 'welcome' });
      }
      if (!proven) {
        this.options.log?.('refused WebSocket connection: a restored session without its tab key');
        return socket.close(UNPROVEN, 'tab key not proven');
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
