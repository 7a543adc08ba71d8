import * as path from 'node:path';
import { configPath } from '../config/config-file.ts';
import { usageError } from '../engine/index.ts';
import { openBrowser } from './open-browser.ts';
import { rendererDir } from './renderer-dir.ts';
import { COMMON_OPTIONS, namedStoreSelection, str, type Command } from '../cli/command.ts';

/** Where `dvom serve` listens unless told otherwise: a fixed port, so tabs survive a restart. */
export const DEFAULT_SERVE_PORT = 17360;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the DVOM app in a browser on this host (127.0.0.1 only, one-time login links), and its scheduled backups',
  usage: 'dvom serve [--port=N] [--open]   (default port: serve.port in the config, else ' + DEFAULT_SERVE_PORT + '; 0 = any free one)',
  options: { ...COMMON_OPTIONS, port: { type: 'string' }, open: { type: 'boolean' } },
  positionals: [0, 0],
  needsStore: false,
  async run(ctx) {
    const portText = str(ctx.values, 'port') ?? String(ctx.config.serve?.port ?? DEFAULT_SERVE_PORT);
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw usageError(`--port must be a port number (0-65535), got '${portText}'`);
    // Loaded here, not with the CLI: the app, its API and the WebSocket server are a large part of what
    // every other command would otherwise load (and hold in memory) for nothing.
    const [{ DvomApp }, { startServeServer }] = await Promise.all([import('../app/dvom-app.ts'), import('./serve-server.ts')]);
    const app = new DvomApp({
      secrets: ctx.secrets,
      storeSelection: namedStoreSelection(ctx.values),
      ...(str(ctx.values, 'context') ? { dockerContext: str(ctx.values, 'context') } : {}),
      log: (m) => ctx.output.info(m),
    });
    await app.store(); // fail now, not on the first request, if the store is misconfigured
    // The same port every time and sessions kept next to the config: an open tab reconnects after a restart.
    const server = await startServeServer({
      app,
      rendererDir: rendererDir(),
      port,
      fallBackWhenBusy: true,
      sessionDir: path.dirname(configPath()),
    });
    if (server.portTaken !== undefined) {
      ctx.output.warn(
        `port ${server.portTaken} is in use, so DVOM serves on ${server.port} this time: open tabs of an earlier run cannot reconnect ` +
          `(choose another port with --port=N or "serve": {"port": N} in ${configPath()})`,
      );
    }
    // The link logs one browser in, once: it goes to stdout (for scripts), never to a log.
    ctx.output.out(server.url);
    ctx.output.info(
      `DVOM is serving on ${server.origin} (only this computer can connect). Each link works once; ` +
        `for another, send SIGUSR2 (kill -USR2 ${process.pid}). Press Ctrl-C to stop.`,
    );
    const printLink = () => ctx.output.out(server.newLoginUrl());
    // Not SIGUSR1: without a listener, Node opens its inspector on that one (code execution for any local user).
    process.on('SIGUSR2', printLink);
    const removeOpener = ctx.values.open ? await openBrowser(server.url) : undefined;
    try {
      // Scheduled backups run here while serving (stopped by app.shutdown()).
      await app.scheduler.start();
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      process.off('SIGUSR2', printLink);
      await removeOpener?.();
    }
    await app.shutdown();
    await server.close();
  },
};
