import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dispatcher } from '../app/dispatcher.ts';
import { createHandlers } from '../app/api-handlers.ts';
import type { DvomApp } from '../app/dvom-app.ts';
import { isOwnHost, Sessions } from './sessions.ts';
import { serveStatic } from './static-files.ts';
import { WsApi } from './ws-api.ts';

export interface ServeOptions {
  app: DvomApp;
  /** Folder of the built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface RunningServer {
  /** The first link to open: it logs one browser in, once. */
  url: string;
  origin: string;
  port: number;
  /** Another one-time link (dvom serve prints one on SIGUSR2; tests log in with it). */
  newLoginUrl(): string;
  close(): Promise<void>;
}

/**
 * A GET with ?code= logs in: a valid, unused code gets a session cookie; either
 * way the browser is sent on to the same address without the code, so it
 * leaves the address bar (a used or wrong code just gets no session).
 */
function login(sessions: Sessions, req: IncomingMessage, res: ServerResponse, origin: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = new URL(req.url ?? '/', origin);
  const code = url.searchParams.get('code');
  if (code === null) return false;
  // Only a GET logs in: a HEAD (a link checker, a preview) must not use the code up.
  const session = req.method === 'GET' ? sessions.redeem(code) : undefined;
  url.searchParams.delete('code');
  res.writeHead(303, {
    // Leading slashes collapsed: '//host' would send the browser to another site.
    Location: url.pathname.replace(/^\/+/, '/') + url.search,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    ...(session ? { 'Set-Cookie': sessions.cookie(session) } : {}),
  });
  res.end();
  return true;
}

/**
 * `dvom serve`: the renderer and the app API on 127.0.0.1 only. Requests must
 * name this server in their Host header; the API needs the session cookie a
 * one-time login link gives, and an allowed Origin.
 */
export async function startServeServer(options: ServeOptions): Promise<RunningServer> {
  const dispatcher = new Dispatcher(createHandlers(options.app));
  // Sessions (cookie name) and the API (allowed origins) need the port, known only once the server listens.
  const ready: { api?: WsApi; sessions?: Sessions; port?: number; origin?: string } = {};
  const server: Server = createServer((req, res) => {
    const { sessions, port, origin } = ready;
    if (!sessions || !port || !origin) return void res.writeHead(503).end();
    if (!isOwnHost(req.headers.host, port)) return void res.writeHead(421, { 'Content-Type': 'text/plain' }).end('unknown host name');
    if (login(sessions, req, res, origin)) return;
    serveStatic(options.rendererDir, req, res, origin).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (ready.api && ready.port && isOwnHost(req.headers.host, ready.port)) ready.api.handleUpgrade(req, socket, head);
    else socket.end('HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const sessions = new Sessions(port);
  Object.assign(ready, { port, origin, sessions });
  ready.api = new WsApi({
    authorized: (req) => sessions.has(req.headers.cookie),
    allowedOrigins: [origin, `http://localhost:${port}`],
    dispatcher,
    events: options.app.events,
    log: options.app.log,
  });
  const newLoginUrl = () => `${origin}/?code=${sessions.newCode()}`;
  return {
    url: newLoginUrl(),
    origin,
    port,
    newLoginUrl,
    close: async () => {
      ready.api?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
