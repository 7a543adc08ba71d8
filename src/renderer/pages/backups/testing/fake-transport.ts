import type { ApiClient, ApiTransport } from '../../../../shared/api/client.ts';
import type { ApiEvent, ApiEvents, ApiMethod, ParamsOf, ResultOf } from '../../../../shared/api/contract.ts';
import type { ApiErrorShape } from '../../../../shared/api/dto.ts';
import type { PageId, PageIntent } from '../../../state/navigation-store.ts';

/** One canned answer to a call; the first reply whose `when` matches (and has `times` left) answers. */
export type FakeReply<M extends ApiMethod> = (
  | { result: ResultOf<M> }
  | { error: ApiErrorShape }
  /** Never answers: the UI stays in its loading state. */
  | { pending: true }
) & {
  /** Only for calls whose params include these values. */
  when?: Partial<ParamsOf<M>>;
  /** How many calls it answers (unlimited when absent). */
  times?: number;
  delayMs?: number;
};

export type FakeReplies = { [M in ApiMethod]?: FakeReply<M>[] };

/** What a component test sets up: which page, opened for what, and the engine's answers. */
export interface FakeScenario {
  page: PageId;
  intent?: PageIntent;
  replies: FakeReplies;
}

export interface FakeCall {
  method: string;
  params: unknown;
}

/** The globals the harness page exposes to the test (through page.evaluate). */
export interface HarnessWindow {
  dvomScenario?: FakeScenario;
  dvomFake?: FakeTransport;
  dvomApi?: ApiClient;
}

function matches(when: Record<string, unknown> | undefined, params: unknown): boolean {
  if (!when) return true;
  const p = (params ?? {}) as Record<string, unknown>;
  return Object.entries(when).every(([k, v]) => JSON.stringify(p[k]) === JSON.stringify(v));
}

/** An ApiTransport that answers from a scenario and records every call; tests push events through emit(). */
export class FakeTransport implements ApiTransport {
  readonly calls: FakeCall[] = [];
  private readonly replies: FakeReplies;
  private readonly used = new Map<object, number>();
  private readonly listeners = new Set<(event: string, payload: unknown) => void>();

  constructor(replies: FakeReplies) {
    this.replies = replies;
  }

  /** Adds answers ahead of the existing ones (for a later call to answer differently). */
  prepend<M extends ApiMethod>(method: M, ...replies: FakeReply<M>[]): void {
    const list = (this.replies[method] ?? []) as FakeReply<M>[];
    (this.replies as Record<string, unknown>)[method] = [...replies, ...list];
  }

  invoke(method: string, params: unknown): Promise<unknown> {
    this.calls.push({ method, params: structuredClone(params) });
    const list = (this.replies as Record<string, FakeReply<ApiMethod>[] | undefined>)[method] ?? [];
    const reply = list.find((r) => matches(r.when as Record<string, unknown> | undefined, params) && (r.times === undefined || (this.used.get(r) ?? 0) < r.times));
    if (!reply) return Promise.reject({ code: 'INTERNAL', message: `the fake engine has no answer for ${method}` });
    this.used.set(reply, (this.used.get(reply) ?? 0) + 1);
    if ('pending' in reply) return new Promise(() => undefined);
    return new Promise((resolve, reject) => {
      setTimeout(() => ('error' in reply ? reject(reply.error) : resolve(structuredClone(reply.result))), reply.delayMs ?? 0);
    });
  }

  subscribe(listener: (event: string, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    for (const listener of this.listeners) listener(event, structuredClone(payload));
  }

  callsOf(method: ApiMethod): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }
}
