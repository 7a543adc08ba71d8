import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Dispatcher } from '../app/dispatcher.ts';
import { createHandlers } from '../app/api-handlers.ts';
import type { DvomApp } from '../app/dvom-app.ts';
import { readSessionFile, writeSessionFile } from './session-file.ts';
import { isOwnHost, Sessions } from './sessions.ts';
import { serveStatic } from './static-files.ts';
import { WsApi } from './ws-api.ts';

export interface ServeOptions {
  app: DvomApp;
  /** Folder of the built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** When `port` is taken: listen on a free one instead (and say so in `portTaken`) rather than fail. */
  fallBackWhenBusy?: boolean;
  /**
   * The folder where sessions are kept across restarts (digests of their ids
   * and their tabs' keys, one 0600 file per port, as the cookie is per port),
   * so a tab that was logged in reconnects to the restarted server by itself,
   * proving its key (protocol.ts). Without it, sessions live as long as the server.
   */
  sessionDir?: string;
}

export interface RunningServer {
  /** The first link to open: it logs one browser in, once. */
  url: string;
  origin: string;
  port: number;
  /** The port asked for, when it was taken and another one was used instead. */
  portTaken?: number;
  /** Another one-time link (dvom serve prints one on SIGUSR2; tests log in with it). */
  newLoginUrl(): string;
  close(): Promise<void>;
}

/**
 * A GET with ?code= logs in: a valid, unused code gets a session cookie; either
 * way the browser is sent on to the same address without the code, so it
 * leaves the address bar (a used or wrong code just gets no session).
 */
function login(sessions: Sessions, req: IncomingMessage, res: ServerResponse, origin: string, saved: () => Promise<void>): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = new URL(req.url ?? '/', origin);
  const code = url.searchParams.get('code');
  if (code === null) return false;
  // Only a GET logs in: a HEAD (a link checker, a preview) must not use the code up.
  const session = req.method === 'GET' ? sessions.redeem(code) : undefined;
  url.searchParams.delete('code');
  // The cookie is handed out once the session is on disk, so a restart right after still knows it.
  void (session ? saved() : Promise.resolve()).finally(() => redirect(sessions, res, url, session));
  return true;
}

function redirect(sessions: Sessions, res: ServerResponse, url: URL, session: string | undefined): void {
  res.writeHead(303, {
    // Leading slashes collapsed: '//host' would send the browser to another site.
    Location: url.pathname.replace(/^\/+/, '/') + url.search,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    ...(session ? { 'Set-Cookie': sessions.cookie(session) } : {}),
  });
  res.end();
}

/** Listens on 127.0.0.1:port; a taken port gives a free one instead when `fallBack`. */
async function listen(server: Server, port: number, fallBack: boolean): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if (!fallBack || port === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await listen(server, 0, false);
  }
}

/**
 * `dvom serve`: the renderer and the app API on 127.0.0.1 only. Requests must
 * name this server in their Host header; the API needs the session cookie a
 * one-time login link gives, and an allowed Origin.
 */
export async function startServeServer(options: ServeOptions): Promise<RunningServer> {
  const dispatcher = new Dispatcher(createHandlers(options.app));
  // Sessions (cookie name) and the API (allowed origins) need the port, known only once the server listens.
  const ready: { api?: WsApi; sessions?: Sessions; port?: number; origin?: string; save?: () => Promise<void> } = {};
  const server: Server = createServer((req, res) => {
    const { sessions, port, origin, save } = ready;
    if (!sessions || !port || !origin || !save) return void res.writeHead(503).end();
    if (!isOwnHost(req.headers.host, port)) return void res.writeHead(421, { 'Content-Type': 'text/plain' }).end('unknown host name');
    if (login(sessions, req, res, origin, save)) return;
    serveStatic(options.rendererDir, req, res, origin).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (ready.api && ready.port && isOwnHost(req.headers.host, ready.port)) ready.api.handleUpgrade(req, socket, head);
    else socket.end('HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  const wanted = options.port ?? 0;
  await listen(server, wanted, options.fallBackWhenBusy ?? false);
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const log = options.app.log;
  const sessionFile = options.sessionDir ? path.join(options.sessionDir, `serve-sessions-${port}.json`) : undefined;
  const sessions = new Sessions(port, sessionFile ? await readSessionFile(sessionFile, log) : []);
  // One write at a time, in order: the last one holds every session.
  let writing = Promise.resolve();
  const save = (): Promise<void> => {
    if (!sessionFile) return Promise.resolve();
    writing = writing
      .then(() => writeSessionFile(sessionFile, sessions.list()))
      .catch((err: unknown) => log(`cannot save sessions to ${sessionFile} (${(err as Error).message}): after a restart, browsers need a new login link`));
    return writing;
  };
  Object.assign(ready, { port, origin, sessions, save });
  ready.api = new WsApi({
    authorized: (req) => sessions.grant(req.headers.cookie),
    onBound: () => void save(),
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
    ...(wanted !== 0 && wanted !== port ? { portTaken: wanted } : {}),
    newLoginUrl,
    close: async () => {
      ready.api?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // A session bound just before closing is on disk when close returns.
      await writing;
    },
  };
}
