import type { ApiTransport } from '../../../src/shared/api/client.ts';
import { INVOKE_BINDING, type BridgeReply } from '../contract.ts';

type Listener = (event: string, payload: unknown) => void;

/**
 * The harness page's ApiTransport: every call goes to the test's FakeApi
 * (in Node) through the exposed binding, tagged with this transport's
 * generation; the test pushes events back through deliver().
 */
export class BridgeTransport implements ApiTransport {
  private readonly listeners = new Set<Listener>();
  readonly generation: number;
  /** Calls sent so far: the test waits until its fake has received them all. */
  sent = 0;

  constructor(generation: number) {
    this.generation = generation;
  }

  async invoke(method: string, params: unknown): Promise<unknown> {
    const invoke = window[INVOKE_BINDING];
    if (!invoke) throw { code: 'DISCONNECTED', message: 'the test did not expose its fake API' };
    this.sent++;
    const reply: BridgeReply = await invoke(this.generation, method, params);
    if (reply.ok) return reply.result;
    throw reply.error;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  deliver(event: string, payload: unknown): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}
