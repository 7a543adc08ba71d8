/**
 * The one fake engine of the component tests: an ApiTransport, typed against
 * the API contract, that runs in the test (Node) and answers the harness
 * page's calls as the test says. The page reaches it through a binding
 * (contract.ts), so a test sets replies, reads calls and keeps state in plain
 * Node code.
 */
import { ApiError, type ApiTransport } from '../../src/shared/api/client.ts';
import type { ApiEvent, ApiEvents, ApiMethod, ParamsOf, ResultOf } from '../../src/shared/api/contract.ts';
import type { ApiErrorShape } from '../../src/shared/api/dto.ts';

/** How the fake answers a call of `M`. */
export type Reply<M extends ApiMethod> = (
  | { result: ResultOf<M> }
  | { error: ApiErrorShape }
  /** Not yet: the call waits until the test releases it (or for ever). */
  | { pending: true }
  /** Computed from the params, like a real handler; a thrown ApiError is the error. */
  | { handle(params: ParamsOf<M>): ResultOf<M> | Promise<ResultOf<M>> }
) & {
  /** Only for calls whose params include these values. */
  when?: Partial<ParamsOf<M>>;
  /** How many calls it answers (unlimited when absent). */
  times?: number;
  delayMs?: number;
};

/** A reply that is not pending: what release() answers with. */
export type Settled<M extends ApiMethod> = Exclude<Reply<M>, { pending: true }>;

/** Replies by method, tried in order: the first whose `when` matches and has `times` left answers. */
export type Replies = { [M in ApiMethod]?: Reply<M>[] };

export interface RecordedCall {
  method: ApiMethod;
  params: unknown;
}

/** Answers for an engine with nothing in it; a test replaces what it cares about. */
export const EMPTY_ENGINE: Replies = {
  'app.info': [{ result: { version: '0.0.0-test', storeLocation: '/var/lib/dvom/backups', dockerHost: 'unix:///var/run/docker.sock', engine: { name: 'default', host: 'unix:///var/run/docker.sock', source: 'built-in' }, keychain: 'test keychain' } }],
  'engines.list': [{ result: [{ name: 'default', host: 'unix:///var/run/docker.sock', current: true }] }],
  'volumes.list': [{ result: [] }],
  'backups.list': [{ result: [] }],
  'jobs.list': [{ result: [] }],
  'targets.list': [{ result: [] }],
  'secrets.hasPassword': [{ result: { remembered: false } }],
  'jobs.cancel': [{ result: { cancelled: true } }],
};

type AnyReply = Reply<ApiMethod>;
type Listener = (event: string, payload: unknown) => void | Promise<void>;

function matches(when: object | undefined, params: unknown): boolean {
  if (!when) return true;
  const p = (params ?? {}) as Record<string, unknown>;
  return Object.entries(when).every(([k, v]) => JSON.stringify(p[k]) === JSON.stringify(v));
}

/** An error as a transport carries it: the shape, with its code (a handler's ApiError included). */
function shapeOf(err: unknown): ApiErrorShape {
  if (err instanceof ApiError) return { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), ...(err.problem ? { problem: err.problem } : {}) };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export class FakeApi implements ApiTransport {
  private readonly replies = new Map<ApiMethod, AnyReply[]>();
  private readonly once = new Map<ApiMethod, AnyReply[]>();
  private readonly used = new Map<AnyReply, number>();
  private readonly pending = new Map<ApiMethod, ((reply: AnyReply) => void)[]>();
  private readonly listeners = new Set<Listener>();
  private readonly waiting: { done(): boolean; resolve(): void }[] = [];
  /** Every call so far, in order (params as the page sent them). */
  readonly recorded: RecordedCall[] = [];

  /** `replies`: the engine's answers (an empty engine's when absent). */
  constructor(replies: Replies = EMPTY_ENGINE) {
    for (const [method, list] of Object.entries(replies)) this.replies.set(method as ApiMethod, [...(list as AnyReply[])]);
  }

  /** The reply for every later call of `method` (replaces its replies). */
  reply<M extends ApiMethod>(method: M, reply: Reply<M>): void {
    this.replies.set(method, [reply as AnyReply]);
  }

  /** Replies ahead of the method's others (for a later call to answer differently). */
  prepend<M extends ApiMethod>(method: M, ...replies: Reply<M>[]): void {
    this.replies.set(method, [...(replies as AnyReply[]), ...(this.replies.get(method) ?? [])]);
  }

  /** The reply for the next call of `method` only; these answer in the order given, before any other. */
  replyOnce<M extends ApiMethod>(method: M, reply: Reply<M>): void {
    this.once.set(method, [...(this.once.get(method) ?? []), reply as AnyReply]);
  }

  /** Answers the oldest pending call of `method`; false when none is pending. */
  release<M extends ApiMethod>(method: M, reply: Settled<M>): boolean {
    const waiting = this.pending.get(method)?.shift();
    waiting?.(reply as AnyReply);
    return !!waiting;
  }

  /** Pushes an event as the engine would; resolves once every listener has it. */
  async emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): Promise<void> {
    await Promise.all([...this.listeners].map((listener) => listener(event, structuredClone(payload))));
  }

  /** The params of every call of `method` so far. */
  callsOf<M extends ApiMethod>(method: M): ParamsOf<M>[] {
    return this.recorded.filter((c) => c.method === method).map((c) => c.params as ParamsOf<M>);
  }

  /** Resolves once `count` calls have come in. */
  received(count: number): Promise<void> {
    return this.until(() => this.recorded.length >= count);
  }

  /** Resolves once the params of the calls of `method` so far pass `test`. */
  callsPass<M extends ApiMethod>(method: M, test: (calls: ParamsOf<M>[]) => boolean): Promise<void> {
    return this.until(() => test(this.callsOf(method)));
  }

  async invoke(method: string, params: unknown): Promise<unknown> {
    const m = method as ApiMethod;
    this.recorded.push({ method: m, params: structuredClone(params) });
    for (const w of this.waiting.filter((x) => x.done())) {
      this.waiting.splice(this.waiting.indexOf(w), 1);
      w.resolve();
    }
    let reply = this.take(m, params);
    if ('pending' in reply) {
      reply = await new Promise<AnyReply>((resolve) => this.pending.set(m, [...(this.pending.get(m) ?? []), resolve]));
    }
    const settled = reply as Settled<ApiMethod>;
    if (settled.delayMs) await new Promise((r) => setTimeout(r, settled.delayMs));
    // Like a real transport: a copy, never the test's own object.
    if ('error' in settled) throw structuredClone(settled.error);
    if ('handle' in settled) {
      try {
        return structuredClone(await settled.handle(params as never));
      } catch (err) {
        throw shapeOf(err);
      }
    }
    return structuredClone(settled.result);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ done, resolve }));
  }

  /** The first once-reply, else the first reply, whose `when` matches and has `times` left. */
  private take(method: ApiMethod, params: unknown): AnyReply {
    const once = this.once.get(method) ?? [];
    const first = once.findIndex((r) => matches(r.when, params));
    if (first >= 0) return once.splice(first, 1)[0]!;
    const reply = (this.replies.get(method) ?? []).find((r) => matches(r.when, params) && (r.times === undefined || (this.used.get(r) ?? 0) < r.times));
    if (!reply) return { error: { code: 'INTERNAL', message: `the fake API has no reply for ${method}` } };
    this.used.set(reply, (this.used.get(reply) ?? 0) + 1);
    return reply;
  }
}
