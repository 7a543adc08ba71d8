import { ApiClient, type ApiTransport } from '../../shared/api/client.ts';

let client: ApiClient | undefined;

/** Creates the one ApiClient of this page; main.tsx calls it once with the chosen transport. */
export function initApi(transport: ApiTransport): ApiClient {
  client = new ApiClient(transport);
  return client;
}

/** The page's ApiClient: every store and page talks to the engine through it. */
export function api(): ApiClient {
  if (!client) throw new Error('the API is used before initApi()');
  return client;
}
