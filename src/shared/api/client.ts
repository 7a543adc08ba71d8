import type { ApiEvent, ApiEvents, ApiMethod, ParamsOf, ResultOf } from './contract.ts';
import { isApiErrorCode, type ApiErrorCode, type ApiErrorShape } from './errors.ts';

/**
 * What a transport provides: the preload's object in Electron, or the
 * WebSocket client in a browser. Nothing above this knows which it is.
 */
export interface ApiTransport {
  /** Resolves with the result, or rejects with an ApiErrorShape. */
  invoke(method: string, params: unknown): Promise<unknown>;
  /** Calls `listener` for every event; returns its own unsubscribe. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** An error from the other side, rebuilt with its code. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly field: string | undefined;
  readonly problem: string | undefined;
  constructor(shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'ApiError';
    this.code = shape.code;
    this.field = shape.field;
    this.problem = shape.problem;
  }
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const shape = err as Partial<ApiErrorShape> | null;
  if (shape && typeof shape.code === 'string' && typeof shape.message === 'string') {
    // A code this client does not know (a newer host) is still an error from the other side.
    return new ApiError({ ...(shape as ApiErrorShape), code: isApiErrorCode(shape.code) ? shape.code : 'INTERNAL' });
  }
  return new ApiError({ code: 'TRANSPORT', message: err instanceof Error ? err.message : String(err) });
}

/** The typed API the renderer (and tests) use. */
export class ApiClient {
  private readonly transport: ApiTransport;

  constructor(transport: ApiTransport) {
    this.transport = transport;
  }

  async call<M extends ApiMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    try {
      return (await this.transport.invoke(method, params)) as ResultOf<M>;
    } catch (err) {
      throw toApiError(err);
    }
  }

  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    return this.transport.subscribe((name, payload) => {
      if (name === event) listener(payload as ApiEvents[E]);
    });
  }
}
