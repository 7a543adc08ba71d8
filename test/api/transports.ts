/**
 * The app API over both of its real transports, for tests:
 *
 * - ipc: registerIpcApi (main side) and createPreloadApi (preload side)
 *   connected in process through fakes of ipcMain, ipcRenderer and a
 *   webContents; every payload crosses through structuredClone, as Electron's
 *   IPC serializes it.
 * - ws: the real `dvom serve` server (startServeServer) and the
 *   WebSocketTransport, with an Origin header sent the way a browser does.
 *
 * Both give `{ client, app, transport, close() }`: the typed ApiClient, the
 * DvomApp behind it (with an in-memory keychain and its own store folder) and
 * the raw ApiTransport for calls the typed client cannot express.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import WS from 'ws';
import { ApiClient, type ApiTransport } from '../../src/shared/api/client.ts';
import { WebSocketTransport } from '../../src/shared/api/ws-transport.ts';
import { createHandlers } from '../../src/main/app/api-handlers.ts';
import { Dispatcher, type DispatchOutcome } from '../../src/main/app/dispatcher.ts';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { registerIpcApi, type EventTarget, type InvokeEventLike, type IpcMainLike } from '../../src/main/electron/ipc-api.ts';
import { createPreloadApi, type IpcRendererLike } from '../../src/main/electron/preload-api.ts';
import { startServeServer, type RunningServer } from '../../src/main/serve/serve-server.ts';
import type { SecretKind, SecretStore } from '../../src/main/secrets/secret-store.ts';

/** Gives every test file its own config file and cheap scrypt; call at the top of a test file. */
export function isolateEnvironment(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dvom-api-env-'));
  process.env.DVOM_SCRYPT_N = '1024';
  process.env.DVOM_CONFIG = path.join(dir, 'config.json');
  return dir;
}

/** A keychain in memory; `entries` shows exactly what was stored. */
export class MemorySecretStore implements SecretStore {
  readonly name = 'test keychain';
  readonly entries = new Map<string, string>();

  async get(kind: SecretKind, name: string): Promise<string | undefined> {
    return this.entries.get(`${kind}:${name}`);
  }

  async set(kind: SecretKind, name: string, secret: string): Promise<void> {
    this.entries.set(`${kind}:${name}`, secret);
  }

  async delete(kind: SecretKind, name: string): Promise<boolean> {
    return this.entries.delete(`${kind}:${name}`);
  }
}

export interface ApiHarness {
  client: ApiClient;
  app: DvomApp;
  transport: ApiTransport;
  secrets: MemorySecretStore;
  /** The store folder of this app. */
  backupDir: string;
  close(): Promise<void>;
}

export type TransportFactory = () => Promise<ApiHarness>;

async function newApp(): Promise<{ app: DvomApp; secrets: MemorySecretStore; backupDir: string; root: string }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-api-'));
  const backupDir = path.join(root, 'store');
  await fs.mkdir(backupDir);
  const secrets = new MemorySecretStore();
  return { app: new DvomApp({ secrets, storeSelection: { backupDir } }), secrets, backupDir, root };
}

// ---------------------------------------------------------------------------
// Electron IPC, faked in process

export const TRUSTED_URL = 'app://dvom/index.html';

/** A Dispatcher that counts what reaches it (anything that reaches it may run a handler). */
export class CountingDispatcher extends Dispatcher {
  calls: { method: unknown; params: unknown }[] = [];

  override async dispatch(method: unknown, params: unknown): Promise<DispatchOutcome> {
    this.calls.push({ method, params });
    return super.dispatch(method, params);
  }
}

export interface FakeWebContents extends EventTarget {
  sent: { channel: string; args: unknown[] }[];
  destroyed: boolean;
}

export interface FakeIpc {
  ipcMain: IpcMainLike & { handlers: Map<string, Parameters<IpcMainLike['handle']>[1]> };
  ipcRenderer: IpcRendererLike & { listenerCount(channel: string): number };
  webContents: FakeWebContents;
  /** The frame the next invokes claim to come from (change it to play a foreign page or a subframe). */
  senderFrame: InvokeEventLike['senderFrame'];
}

/**
 * ipcMain, ipcRenderer and one window's webContents, wired together through
 * an EventEmitter the way Electron routes them: invokes go to the one handler
 * of the channel with an event naming the sender frame; webContents.send
 * reaches every ipcRenderer listener of the channel. Payloads are cloned.
 */
export function createFakeIpc(): FakeIpc {
  const bus = new EventEmitter();
  const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
  const fake: FakeIpc = {
    senderFrame: { url: TRUSTED_URL, parent: null },
    ipcMain: {
      handlers,
      handle(channel, listener) {
        if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        handlers.set(channel, listener);
      },
      removeHandler(channel) {
        handlers.delete(channel);
      },
    },
    ipcRenderer: {
      async invoke(channel, ...args) {
        const handler = handlers.get(channel);
        if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered for '${channel}'`);
        const event: InvokeEventLike = { senderFrame: structuredClone(fake.senderFrame) };
        return structuredClone(await handler(event, ...structuredClone(args)));
      },
      on(channel, listener) {
        bus.on(channel, listener);
      },
      removeListener(channel, listener) {
        bus.removeListener(channel, listener);
      },
      listenerCount(channel) {
        return bus.listenerCount(channel);
      },
    },
    webContents: {
      sent: [],
      destroyed: false,
      send(channel, ...args) {
        const copy = structuredClone(args);
        fake.webContents.sent.push({ channel, args: copy });
        bus.emit(channel, { sender: 'fake-ipc-renderer-event' }, ...structuredClone(args));
      },
      isDestroyed() {
        return fake.webContents.destroyed;
      },
    },
  };
  return fake;
}

export const isTrustedUrl = (url: string) => url.startsWith('app://dvom/');

export interface IpcHarness extends ApiHarness {
  ipc: FakeIpc;
  dispatcher: CountingDispatcher;
  unregister: () => void;
}

export async function createIpcHarness(): Promise<IpcHarness> {
  const { app, secrets, backupDir, root } = await newApp();
  const ipc = createFakeIpc();
  const dispatcher = new CountingDispatcher(createHandlers(app));
  const unregister = registerIpcApi(ipc.ipcMain, dispatcher, app.events, isTrustedUrl, () => [ipc.webContents]);
  const transport = createPreloadApi(ipc.ipcRenderer);
  return {
    client: new ApiClient(transport),
    app,
    transport,
    secrets,
    backupDir,
    ipc,
    dispatcher,
    unregister,
    async close() {
      unregister();
      await app.shutdown();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// dvom serve over a real WebSocket

export interface WsHarness extends ApiHarness {
  server: RunningServer;
  /** The renderer folder served (holds INDEX_HTML as index.html). */
  rendererDir: string;
  socketTransport: WebSocketTransport;
}

export const INDEX_HTML = '<!doctype html><title>DVOM test page</title><p>dvom-api-test-index</p>\n';

/** The WebSocket URL of a running server's API (the session goes in a cookie). */
export function apiUrl(server: RunningServer): string {
  return `ws://127.0.0.1:${server.port}/api`;
}

/** Logs in as a browser does: opens a one-time link (a new one by default) and returns its session cookie, "name=value". */
export async function loginCookie(server: RunningServer, link = server.newLoginUrl()): Promise<string> {
  const res = await fetch(link, { redirect: 'manual' });
  await res.body?.cancel();
  const set = res.headers.get('set-cookie');
  if (!set) throw new Error(`opening ${link} gave no session (status ${res.status})`);
  return set.split(';')[0]!;
}

/** Sockets for a WebSocketTransport that connect as this server's page does: its Origin, and a session cookie. */
export function socketFactory(server: RunningServer, cookie?: string): (url: string) => WebSocket {
  return (u) => new WS(u, { origin: server.origin, ...(cookie ? { headers: { cookie } } : {}) }) as unknown as WebSocket;
}

export async function createWsHarness(): Promise<WsHarness> {
  const { app, secrets, backupDir, root } = await newApp();
  const rendererDir = path.join(root, 'renderer');
  await fs.mkdir(rendererDir);
  await fs.writeFile(path.join(rendererDir, 'index.html'), INDEX_HTML);
  const server = await startServeServer({ app, rendererDir, port: 0 });
  const socketTransport = new WebSocketTransport(apiUrl(server), socketFactory(server, await loginCookie(server)));
  return {
    client: new ApiClient(socketTransport),
    app,
    transport: socketTransport,
    secrets,
    backupDir,
    server,
    rendererDir,
    socketTransport,
    async close() {
      socketTransport.close();
      await server.close();
      await app.shutdown();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

export const TRANSPORTS: readonly { name: 'ipc' | 'ws'; create: TransportFactory }[] = [
  { name: 'ipc', create: createIpcHarness },
  { name: 'ws', create: createWsHarness },
];
