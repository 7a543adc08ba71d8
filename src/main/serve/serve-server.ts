import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dispatcher } from '../app/dispatcher.ts';
import { createHandlers } from '../app/api-handlers.ts';
import type { DvomApp } from '../app/dvom-app.ts';
import { serveStatic } from './static-files.ts';
import { WsApi } from './ws-api.ts';

export interface ServeOptions {
  app: DvomApp;
  /** Folder of the built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** A fixed token (tests); else a random one. */
  token?: string;
}

export interface RunningServer {
  /** The address to open, token included. */
  url: string;
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/**
 * `dvom serve`: the renderer and the app API on 127.0.0.1 only, guarded by a
 * random token (in the URL it prints) and an Origin check.
 */
export async function startServeServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const dispatcher = new Dispatcher(createHandlers(options.app));
  let origin = '';
  // The API needs the port (for its allowed origins), known only once the server listens.
  const ready: { api?: WsApi } = {};
  const server: Server = createServer((req, res) => {
    serveStatic(options.rendererDir, req, res, origin).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    if (ready.api) ready.api.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  ready.api = new WsApi({
    token,
    allowedOrigins: [origin, `http://localhost:${port}`],
    dispatcher,
    events: options.app.events,
    log: options.app.log,
  });
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    close: async () => {
      ready.api?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
