import type { ApiTransport } from '../../shared/api/client.ts';
import type { ApiEvent, ApiEvents, ApiMethod } from '../../shared/api/contract.ts';
import type { RecordedCall, Reply } from './control.ts';

type AnyReply = Reply<ApiMethod>;
type Listener = (event: string, payload: unknown) => void;

/** Answers for an engine with nothing in it; a test replaces what it cares about. */
const DEFAULTS: { [M in ApiMethod]?: Reply<M> } = {
  'app.info': { result: { version: '0.0.0-test', storeLocation: '/var/lib/dvom/backups', dockerHost: 'unix:///var/run/docker.sock', keychain: 'test keychain' } },
  'volumes.list': { result: [] },
  'backups.list': { result: [] },
  'jobs.list': { result: [] },
  'targets.list': { result: [] },
  'secrets.hasPassword': { result: { remembered: false } },
  'jobs.cancel': { result: { cancelled: true } },
};

/**
 * An ApiTransport for tests: answers each method as told (results, errors,
 * delays, or calls left pending until the test releases them), records every
 * call, and pushes events on demand.
 */
export class FakeApi implements ApiTransport {
  private readonly standing = new Map<ApiMethod, AnyReply>(Object.entries(DEFAULTS) as [ApiMethod, AnyReply][]);
  private readonly once = new Map<ApiMethod, AnyReply[]>();
  private readonly pending = new Map<ApiMethod, ((reply: AnyReply) => void)[]>();
  private readonly listeners = new Set<Listener>();
  readonly recorded: RecordedCall[] = [];

  reply<M extends ApiMethod>(method: M, reply: Reply<M>): void {
    this.standing.set(method, reply as AnyReply);
  }

  replyOnce<M extends ApiMethod>(method: M, reply: Reply<M>): void {
    const queue = this.once.get(method) ?? [];
    queue.push(reply as AnyReply);
    this.once.set(method, queue);
  }

  release<M extends ApiMethod>(method: M, reply: Exclude<Reply<M>, { pending: true }>): boolean {
    const waiting = this.pending.get(method)?.shift();
    waiting?.(reply as AnyReply);
    return !!waiting;
  }

  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    for (const listener of this.listeners) listener(event, structuredClone(payload));
  }

  async invoke(method: string, params: unknown): Promise<unknown> {
    const m = method as ApiMethod;
    this.recorded.push({ method: m, params: structuredClone(params) });
    let reply = this.once.get(m)?.shift() ?? this.standing.get(m);
    if (!reply) reply = { error: { code: 'INTERNAL', message: `the fake API has no reply for ${method}` } };
    if ('pending' in reply) {
      reply = await new Promise<AnyReply>((resolve) => {
        const queue = this.pending.get(m) ?? [];
        queue.push(resolve);
        this.pending.set(m, queue);
      });
    }
    const settled = reply as Exclude<AnyReply, { pending: true }>;
    if (settled.delayMs) await new Promise((r) => setTimeout(r, settled.delayMs));
    // Like a real transport: a copy, never the test's own object.
    if ('error' in settled) throw structuredClone(settled.error);
    return structuredClone(settled.result);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
