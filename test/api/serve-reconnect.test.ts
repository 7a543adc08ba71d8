/**
 * `dvom serve` across restarts (issue 14, item 5): a session given out by one
 * run is accepted by the next on the same port (kept as digests in a private
 * file), one-time codes are not; an untrusted, damaged or expired session
 * file gives no session; a taken port falls back to a free one when asked;
 * and the renderer's ReconnectingTransport notices the loss and comes back
 * by itself, with resync events for the stores.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WS from 'ws';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { startServeServer, type RunningServer, type ServeOptions } from '../../src/main/serve/serve-server.ts';
import { SESSION_LIFETIME_MS, Sessions } from '../../src/main/serve/sessions.ts';
import { ReconnectingTransport, type ConnectionStatus } from '../../src/renderer/api/reconnecting-transport.ts';
import { ApiClient } from '../../src/shared/api/client.ts';
import { WebSocketTransport, type TabKey } from '../../src/shared/api/ws-transport.ts';
import { apiUrl, INDEX_HTML, isolateEnvironment, loginCookie, MemorySecretStore, socketFactory } from './transports.ts';

isolateEnvironment();

/** A tab key as the page keeps one (src/renderer/api/tab-key.ts), with Node's crypto. */
function nodeTabKey(key = randomBytes(32).toString('base64url')): TabKey & { key: string; sent: boolean } {
  const tab = {
    key,
    sent: false,
    toBind: () => (tab.sent ? undefined : key),
    bound: () => void (tab.sent = true),
    prove: async (nonce: string) => createHmac('sha256', Buffer.from(key, 'base64url')).update(nonce).digest('base64url'),
  };
  return tab;
}

/** Whether the API accepts this cookie (and tab key): app.info answers, or the socket is refused or closed (DISCONNECTED). */
async function accepted(server: RunningServer, cookie: string, tab?: TabKey): Promise<boolean> {
  const transport = new WebSocketTransport(apiUrl(server), socketFactory(server, cookie), tab);
  try {
    await new ApiClient(transport).call('app.info', {});
    return true;
  } catch (err) {
    assert.equal((err as { code?: string }).code, 'DISCONNECTED');
    return false;
  } finally {
    transport.close();
  }
}

/** Resolves with the first status `pick` accepts, from now on. */
function statusWhere(statuses: ConnectionStatus[], pick: (s: ConnectionStatus) => boolean): Promise<ConnectionStatus> {
  return new Promise((resolve) => {
    const from = statuses.length;
    const check = () => {
      const found = statuses.slice(from).find(pick);
      if (found) resolve(found);
      else setTimeout(check, 20);
    };
    check();
  });
}

describe('dvom serve restarts: sessions kept, port kept, pages reconnect', () => {
  let root = '';
  let app: DvomApp;
  const servers: RunningServer[] = [];

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-reconnect-'));
    await fs.mkdir(path.join(root, 'store'));
    await fs.mkdir(path.join(root, 'renderer'));
    await fs.writeFile(path.join(root, 'renderer', 'index.html'), INDEX_HTML);
    app = new DvomApp({ secrets: new MemorySecretStore(), storeSelection: { backupDir: path.join(root, 'store') } });
  });

  after(async () => {
    for (const s of servers) await s.close();
    await app.shutdown();
    await fs.rm(root, { recursive: true, force: true });
  });

  async function start(options: Partial<ServeOptions>): Promise<RunningServer> {
    const server = await startServeServer({ app, rendererDir: path.join(root, 'renderer'), port: 0, ...options });
    servers.push(server);
    return server;
  }

  async function stop(server: RunningServer): Promise<void> {
    servers.splice(servers.indexOf(server), 1);
    await server.close();
  }

  it('a restarted server on the same port accepts the previous run’s session from the tab that proves its key, not the cookie alone, nor its codes', async () => {
    const sessionDir = path.join(root, 'sessions-a');
    const first = await start({ sessionDir });
    const cookie = await loginCookie(first);
    const unused = first.newLoginUrl();
    const tab = nodeTabKey();
    assert.equal(await accepted(first, cookie, tab), true);
    assert.equal(tab.sent, true, 'the tab bound its key');
    assert.equal(await accepted(first, cookie), true, 'in the run that made it, the cookie is enough (as before)');
    await stop(first);

    const second = await start({ sessionDir, port: first.port });
    assert.equal(second.port, first.port);
    assert.equal(second.portTaken, undefined);
    assert.equal(await accepted(second, cookie, tab), true, 'the old tab works after the restart');
    // What another program holding the port while the server was down could have taken: the cookie, no key.
    assert.equal(await accepted(second, cookie), false, 'the cookie alone does not');
    assert.equal(await accepted(second, cookie, nodeTabKey()), false, 'nor a key of its own (a restored session binds none)');
    assert.equal(await accepted(second, cookie, { ...nodeTabKey(), toBind: () => undefined, prove: async () => 'A'.repeat(43) }), false, 'nor a made-up proof');
    assert.equal(await accepted(second, `${cookie.split('=')[0]}=${'A'.repeat(43)}`), false);
    const viaOldCode = await fetch(unused, { redirect: 'manual' });
    await viaOldCode.body?.cancel();
    assert.equal(viaOldCode.headers.get('set-cookie'), null, 'a login code of the previous run logs nobody in');

    const file = path.join(sessionDir, `serve-sessions-${first.port}.json`);
    const stat = await fs.stat(file);
    assert.equal(stat.mode & 0o777, 0o600);
    assert.equal((await fs.stat(sessionDir)).mode & 0o077, 0, 'a folder created for it is private');
    const text = await fs.readFile(file, 'utf8');
    assert.ok(!text.includes(cookie.split('=')[1]!), 'the session id itself is never written');
    assert.ok(text.includes(tab.key), 'the tab key is (the file is private)');
    await stop(second);

    // Without a session folder (as before this change), a restart forgets every session.
    const third = await start({ port: first.port });
    assert.equal(await accepted(third, cookie, tab), false);
    await stop(third);
  });

  it('a session file others can write, or a damaged one, gives no session; the server still starts', async () => {
    const sessionDir = path.join(root, 'sessions-b');
    const first = await start({ sessionDir });
    const cookie = await loginCookie(first);
    const tab = nodeTabKey();
    assert.equal(await accepted(first, cookie, tab), true);
    await stop(first);
    const file = path.join(sessionDir, `serve-sessions-${first.port}.json`);

    await fs.chmod(file, 0o644);
    const logged: string[] = [];
    const warnApp = new DvomApp({ secrets: new MemorySecretStore(), storeSelection: { backupDir: path.join(root, 'store') }, log: (m) => logged.push(m) });
    try {
      const open = await start({ app: warnApp, sessionDir, port: first.port });
      assert.equal(await accepted(open, cookie, tab), false, 'a file others can read is not trusted');
      assert.ok(logged.some((m) => m.includes('others can read or write it')), logged.join('\n'));
      await stop(open);

      await fs.chmod(file, 0o600);
      await fs.writeFile(file, '{"version":1,"sessions":[{"digest":"x"');
      const damaged = await start({ app: warnApp, sessionDir, port: first.port });
      assert.equal(await accepted(damaged, cookie, tab), false);
      assert.ok(logged.some((m) => m.includes('is damaged')), logged.join('\n'));
      // A new login works and replaces the damaged file.
      assert.equal(await accepted(damaged, await loginCookie(damaged)), true);
      assert.equal(JSON.parse(await fs.readFile(file, 'utf8')).sessions.length, 1);
      await stop(damaged);
    } finally {
      await warnApp.shutdown();
    }
  });

  it('a session expires after its lifetime, also when read back from the file', () => {
    let now = Date.parse('2031-01-01T00:00:00Z');
    const sessions = new Sessions(1234, [], () => now);
    const id = sessions.redeem(sessions.newCode())!;
    const cookie = `dvom_session_1234=${id}`;
    assert.equal(sessions.has(cookie), true);
    now += SESSION_LIFETIME_MS - 1000;
    assert.equal(new Sessions(1234, sessions.list(), () => now).has(cookie), true);
    now += 2000;
    assert.equal(sessions.has(cookie), false);
    assert.equal(new Sessions(1234, sessions.list(), () => now).has(cookie), false);
    assert.deepEqual(sessions.list(), []);
  });

  it('a taken port: with fallBackWhenBusy another port is used and reported, without it the start fails', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(start({ port: taken }), /EADDRINUSE/);
      const moved = await start({ port: taken, fallBackWhenBusy: true });
      assert.notEqual(moved.port, taken);
      assert.equal(moved.portTaken, taken);
      assert.equal((await fetch(`${moved.origin}/`)).status, 200);
      await stop(moved);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('the page’s transport: lost when the server stops, back by itself when it restarts on its port, with resync events', async () => {
    const sessionDir = path.join(root, 'sessions-c');
    let server = await start({ sessionDir });
    const port = server.port;
    const cookie = await loginCookie(server);
    const statuses: ConnectionStatus[] = [];
    const events: string[] = [];
    const transport = new ReconnectingTransport(apiUrl(server), {
      onStatus: (s) => statuses.push(s),
      serverAnswers: async () => (await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' }).catch(() => undefined))?.ok ?? false,
      resyncEvents: ['volumes.changed', 'backups.changed'],
      tabKey: nodeTabKey(),
      createSocket: (u) => new WS(u, { origin: `http://127.0.0.1:${port}`, headers: { cookie } }) as unknown as WebSocket,
    });
    transport.subscribe((event) => events.push(event));
    const client = new ApiClient(transport);
    assert.equal((await client.call('app.info', {})).version.length > 0, true);
    assert.equal(transport.current().state, 'connected');

    const lost = statusWhere(statuses, (s) => s.state === 'lost');
    await stop(server);
    const down = await lost;
    assert.equal(typeof down.lostAt, 'number');
    assert.equal(typeof down.retryAt, 'number');
    await assert.rejects(client.call('app.info', {}), (err: { code?: string }) => err.code === 'DISCONNECTED');
    assert.equal(events.length, 0);

    const back = statusWhere(statuses, (s) => s.state === 'connected');
    server = await start({ sessionDir, port });
    const up = await back;
    assert.equal(up.reconnects, 1);
    assert.deepEqual(events, ['volumes.changed', 'backups.changed'], 'the stores are told to reload');
    assert.equal((await client.call('app.info', {})).version.length > 0, true);

    // A server that answers but does not know the session: "refused", and still retrying.
    const refused = statusWhere(statuses, (s) => s.state === 'refused');
    await stop(server);
    server = await start({ port });
    assert.equal((await refused).state, 'refused');
    await stop(server);
    const stillTrying = statusWhere(statuses, (s) => s.state === 'lost' && s.retryAt !== undefined);
    await stillTrying;
    server = await start({ sessionDir, port });
    await statusWhere(statuses, (s) => s.state === 'connected');
    transport.close();
    await stop(server);
  });
});
