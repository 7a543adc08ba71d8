import { apiParams, isApiMethod, type ApiMethod, type ResultOf, type ValidParamsOf } from '../../shared/api/contract.ts';
import type { ApiErrorShape } from '../../shared/api/errors.ts';
import { toApiError } from '../services/errors.ts';

export type ApiHandlers = { [M in ApiMethod]: (params: ValidParamsOf<M>) => Promise<ResultOf<M>> };

export type DispatchOutcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

/**
 * The single entry point of every transport: checks the method exists and its
 * params match the contract before any handler runs.
 */
export class Dispatcher {
  private readonly handlers: ApiHandlers;

  constructor(handlers: ApiHandlers) {
    this.handlers = handlers;
  }

  async dispatch(method: unknown, params: unknown): Promise<DispatchOutcome> {
    if (!isApiMethod(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}` } };
    }
    const parsed = apiParams[method].safeParse(params ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length ? issue.path.join('.') : 'params';
      return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `${method}: ${field}: ${issue.message}`, field, problem: issue.message } };
    }
    try {
      const handler = this.handlers[method] as (p: unknown) => Promise<unknown>;
      return { ok: true, result: await handler(parsed.data) };
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  }
}
