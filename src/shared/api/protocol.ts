import type { ApiErrorShape } from './dto.ts';

/** Messages of the WebSocket transport (Electron IPC carries the same payloads natively). */
export interface CallMessage {
  type: 'call';
  id: number;
  method: string;
  params: unknown;
}

export type ReplyMessage =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number | null; error: ApiErrorShape };

export interface EventMessage {
  type: 'event';
  event: string;
  payload: unknown;
}

/*
 * The tab key handshake of `dvom serve` (a browser page sends `hello` first;
 * other clients need not). A session a restarted server read back from its
 * file is only usable by a tab that proves it holds the key it bound while the
 * session was new: a session cookie alone (which the browser would also send
 * to another program listening on the port while the server is down) is not
 * enough.
 */
export interface HelloMessage {
  type: 'hello';
  /** The tab's key (base64url, 32 bytes), sent once, on the tab's first connection. */
  bind?: string;
}

/** HMAC-SHA256 of the challenge's nonce with the tab key, base64url. */
export interface ProofMessage {
  type: 'proof';
  mac: string;
}

export type ClientMessage = CallMessage | HelloMessage | ProofMessage;

export type HandshakeMessage = { type: 'challenge'; nonce: string } | { type: 'welcome' };

export type ServerMessage = ReplyMessage | EventMessage | HandshakeMessage;

/** Largest message either side accepts. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
