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

export type ServerMessage = ReplyMessage | EventMessage;

/** Largest message either side accepts. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
