import type { ApiEvent, ApiEvents } from '../../shared/api/contract.ts';

export type EventListener = (event: ApiEvent, payload: ApiEvents[ApiEvent]) => void;

/** Fans API events out to every connected transport (windows, WebSocket clients). */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A broken client must not stop the others.
      }
    }
  }
}

/** After a run that wrote a backup or a volume: the lists showing them are out of date. */
export function emitStoreChanged(events: EventHub): void {
  events.emit('backups.changed', {});
  events.emit('volumes.changed', {});
}
