/**
 * `dvom serve` against raw WebSocket and HTTP clients: one-time login links
 * give a session cookie; the Host header, the session and the Origin check
 * guard every upgrade, bad messages get error replies without
 * hurting the server, oversized messages close only their connection, the
 * server listens on 127.0.0.1 only, and static files come with a CSP and no
 * way out of the renderer folder.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { after, before, describe, it } from 'node:test';
import WS from 'ws';
import { ApiClient, ApiError } from '../../src/shared/api/client.ts';
import { MAX_MESSAGE_BYTES } from '../../src/shared/api/protocol.ts';
import { WebSocketTransport } from '../../src/shared/api/ws-transport.ts';
import { apiUrl, createWsHarness, INDEX_HTML, isolateEnvironment, loginCookie, socketFactory, type WsHarness } from './transports.ts';

const envDir = isolateEnvironment();
after(() => fs.rm(envDir, { recursive: true, force: true }));

type Refusal = { refused: number };
type Opened = { socket: WS };

/** Connects a raw client; resolves with the open socket or the HTTP status the upgrade was refused with. */
function connect(url: string, origin?: string, headers: Record<string, string> = {}): Promise<Opened | Refusal> {
  return new Promise((resolve, reject) => {
    const socket = new WS(url, { ...(origin === undefined ? {} : { origin }), headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      res.resume();
      socket.terminate();
    });
    socket.once('error', (err) => reject(err));
  });
}

async function open(url: string, origin: string, cookie: string): Promise<WS> {
  const r = await connect(url, origin, { cookie });
  assert.ok('socket' in r, `expected to connect, was refused with ${(r as Refusal).refused}`);
  return r.socket;
}

interface Reply {
  type: string;
  id?: number | null;
  result?: unknown;
  error?: { code: string; message: string };
}

/** The next reply (not event) a socket receives. */
function nextReply(socket: WS): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WS.RawData) => {
      const message = JSON.parse(data.toString()) as Reply;
      if (message.type === 'event') return;
      cleanup();
      resolve(message);
    };
    const onClose = (code: number) => {
      cleanup();
      reject(new Error(`socket closed (${code}) before a reply`));
    };
    const cleanup = () => {
      socket.off('message', onMessage);
      socket.off('close', onClose);
    };
    socket.on('message', onMessage);
    socket.on('close', onClose);
  });
}

async function call(socket: WS, message: unknown): Promise<Reply> {
  const reply = nextReply(socket);
  socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  return reply;
}

function closed(socket: WS): Promise<{ code: number; reason: string }> {
  if (socket.readyState === WS.CLOSED) return Promise.resolve({ code: -1, reason: 'already closed' });
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

function httpGet(
  port: number,
  rawPath: string,
  headers: http.OutgoingHttpHeaders = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method, agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dvom serve: WebSocket and HTTP security', () => {
  let h: WsHarness;
  const sockets: WS[] = [];
  let passwd = '';
  /** A session of this server, as a browser holds it after opening a link. */
  let cookie = '';

  before(async () => {
    h = await createWsHarness();
    passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
    cookie = await loginCookie(h.server);
  });
  after(async () => {
    for (const s of sockets) s.terminate();
    await h.close();
  });

  const good = () => apiUrl(h.server);
  const track = (s: WS) => {
    sockets.push(s);
    return s;
  };

  it('a login link gives one session cookie (HttpOnly, SameSite=Strict, per port) and then no more', async () => {
    const link = h.server.newLoginUrl();
    const path = link.slice(h.server.origin.length);
    assert.match(path, /^\/\?code=[A-Za-z0-9_-]{32}$/);
    // A HEAD (a link checker) does not use the code up.
    const head = await httpGet(h.server.port, path, {}, 'HEAD');
    assert.equal(head.headers['set-cookie'], undefined);

    const first = await httpGet(h.server.port, path);
    assert.equal(first.status, 303);
    assert.equal(first.headers.location, '/', 'the code leaves the address bar');
    assert.equal(first.headers['cache-control'], 'no-store');
    const [setCookie, ...more] = first.headers['set-cookie'] ?? [];
    assert.equal(more.length, 0);
    const attributes = setCookie!.split(';').map((a) => a.trim());
    assert.match(attributes[0]!, new RegExp(`^dvom_session_${h.server.port}=[A-Za-z0-9_-]{43}$`));
    assert.deepEqual(attributes.slice(1).sort(), ['HttpOnly', 'Path=/', 'SameSite=Strict'], 'no Expires/Max-Age: gone when the browser closes');
    const s = track(await open(good(), h.server.origin, attributes[0]!));
    assert.equal((await call(s, { type: 'call', id: 1, method: 'app.info', params: {} })).type, 'result');

    // The same link again (from history, a log, a command line): no session.
    const second = await httpGet(h.server.port, path);
    assert.equal(second.status, 303);
    assert.equal(second.headers['set-cookie'], undefined);
    await assert.rejects(loginCookie(h.server, link), /gave no session/);
    // Nor does a made-up code; other query parameters and the path survive the redirect.
    const made = await httpGet(h.server.port, '/restore?code=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&x=1');
    assert.equal(made.headers['set-cookie'], undefined);
    assert.equal(made.headers.location, '/restore?x=1');
    // Never a redirect to another site.
    for (const [sneaky, location] of [['/.//evil.example/?code=x', '/evil.example/'], ['/a/..//evil.example?code=x', '/evil.example']]) {
      assert.equal((await httpGet(h.server.port, sneaky!)).headers.location, location, sneaky);
    }
  });

  it('refuses an upgrade without a session (401), also with a made-up or old-style credential', async () => {
    assert.deepEqual(await connect(good(), h.server.origin), { refused: 401 });
    const name = cookie.split('=')[0]!;
    for (const wrong of [`${name}=nope`, `${name}=`, `dvom_session_${h.server.port + 1}=${cookie.split('=')[1]}`, 'token=x']) {
      assert.deepEqual(await connect(good(), h.server.origin, { cookie: wrong }), { refused: 401 }, wrong);
    }
    const code = new URL(h.server.newLoginUrl()).searchParams.get('code')!;
    assert.deepEqual(await connect(`${good()}?token=${code}`, h.server.origin), { refused: 401 }, 'a login code is no API credential');
    assert.deepEqual(await connect(`${good()}?code=${code}`, h.server.origin), { refused: 401 });
  });

  it('refuses a session from a foreign Origin (403)', async () => {
    assert.deepEqual(await connect(good(), 'http://evil.example', { cookie }), { refused: 403 });
    assert.deepEqual(await connect(good(), `http://127.0.0.1:${h.server.port + 1}`, { cookie }), { refused: 403 });
    assert.deepEqual(await connect(good(), `https://127.0.0.1:${h.server.port}`, { cookie }), { refused: 403 });
    assert.deepEqual(await connect(good(), 'null', { cookie }), { refused: 403 });
  });

  it('refuses a session without an Origin header', async () => {
    const r = await connect(good(), undefined, { cookie });
    assert.ok('refused' in r, 'a client without Origin connected');
    assert.equal(r.refused, 403);
  });

  it('refuses requests naming another host (DNS rebinding): pages, login links and upgrades (421)', async () => {
    for (const host of ['evil.example', `evil.example:${h.server.port}`, `127.0.0.1:${h.server.port + 1}`, `127.0.0.2:${h.server.port}`, `localhost.evil.example:${h.server.port}`]) {
      assert.equal((await httpGet(h.server.port, '/', { host })).status, 421, host);
      const link = h.server.newLoginUrl().slice(h.server.origin.length);
      const login = await httpGet(h.server.port, link, { host });
      assert.equal(login.status, 421, `login via ${host}`);
      assert.equal(login.headers['set-cookie'], undefined);
      assert.deepEqual(await connect(good(), h.server.origin, { cookie, host }), { refused: 421 }, `upgrade via ${host}`);
    }
    for (const host of [`127.0.0.1:${h.server.port}`, `localhost:${h.server.port}`, `LOCALHOST:${h.server.port}`, `[::1]:${h.server.port}`]) {
      assert.equal((await httpGet(h.server.port, '/', { host })).status, 200, host);
    }
  });

  it('refuses upgrades on other paths (404)', async () => {
    assert.deepEqual(await connect(`ws://127.0.0.1:${h.server.port}/`, h.server.origin, { cookie }), { refused: 404 });
    assert.deepEqual(await connect(`ws://127.0.0.1:${h.server.port}/api/x`, h.server.origin, { cookie }), { refused: 404 });
  });

  it('accepts a session from its own Origin (127.0.0.1 and localhost) and answers calls', async () => {
    const s = track(await open(good(), h.server.origin, cookie));
    const reply = await call(s, { type: 'call', id: 7, method: 'app.info', params: {} });
    assert.equal(reply.type, 'result');
    assert.equal(reply.id, 7);
    assert.equal((reply.result as { storeLocation: string }).storeLocation, h.backupDir);
    const s2 = track(await open(good(), `http://localhost:${h.server.port}`, cookie));
    assert.equal((await call(s2, { type: 'call', id: 1, method: 'app.info', params: {} })).type, 'result');
  });

  it('answers malformed JSON with BAD_REQUEST and keeps serving the connection', async () => {
    const s = track(await open(good(), h.server.origin, cookie));
    const bad = await call(s, '{"type":"call", nope');
    assert.equal(bad.type, 'error');
    assert.equal(bad.id, null);
    assert.equal(bad.error!.code, 'BAD_REQUEST');
    const ok = await call(s, { type: 'call', id: 2, method: 'app.info', params: {} });
    assert.equal(ok.type, 'result');
    assert.equal(ok.id, 2);
  });

  it('answers messages that are not calls with BAD_REQUEST', async () => {
    const s = track(await open(good(), h.server.origin, cookie));
    for (const message of [
      'null',
      '42',
      '"call"',
      '[]',
      { type: 'result', id: 1, method: 'app.info' },
      { type: 'call', method: 'app.info', params: {} },
      { type: 'call', id: '1', method: 'app.info', params: {} },
      { type: 'call', id: 1.5, method: 'app.info', params: {} },
      { type: 'call', id: 1, method: 42, params: {} },
    ]) {
      const reply = await call(s, message);
      assert.equal(reply.type, 'error', JSON.stringify(message));
      assert.equal(reply.error!.code, 'BAD_REQUEST', JSON.stringify(message));
    }
    assert.equal((await call(s, { type: 'call', id: 3, method: 'app.info', params: {} })).type, 'result');
  });

  it('answers a binary message with BAD_REQUEST', async () => {
    const s = track(await open(good(), h.server.origin, cookie));
    const reply = nextReply(s);
    s.send(Buffer.from(JSON.stringify({ type: 'call', id: 1, method: 'app.info', params: {} })), { binary: true });
    const r = await reply;
    assert.equal(r.type, 'error');
    assert.equal(r.error!.code, 'BAD_REQUEST');
    assert.equal((await call(s, { type: 'call', id: 4, method: 'app.info', params: {} })).type, 'result');
  });

  it('answers an unknown method with UNKNOWN_METHOD and the call id, also for Object.prototype names', async () => {
    const s = track(await open(good(), h.server.origin, cookie));
    for (const [id, method] of [[1, 'nope'], [2, 'toString'], [3, '__proto__'], [4, 'constructor'], [5, 'hasOwnProperty']] as const) {
      const reply = await call(s, { type: 'call', id, method });
      assert.equal(reply.type, 'error');
      assert.equal(reply.id, id);
      assert.equal(reply.error!.code, 'UNKNOWN_METHOD', method);
    }
  });

  it('answers invalid params with INVALID_ARGUMENT naming the field', async () => {
    const s = track(await open(good(), h.server.origin, cookie));
    const reply = await call(s, { type: 'call', id: 9, method: 'backups.versions', params: { backup: '../../etc' } });
    assert.equal(reply.error!.code, 'INVALID_ARGUMENT');
    assert.match(reply.error!.message, /backup/);
  });

  it('closes a connection sending more than 1 MiB (1009) and keeps serving new connections', async () => {
    const s = track(await open(good(), h.server.origin, cookie));
    const done = closed(s);
    s.on('error', () => undefined);
    const big = JSON.stringify({ type: 'call', id: 1, method: 'app.info', params: { pad: 'x'.repeat(MAX_MESSAGE_BYTES + 16) } });
    s.send(big);
    const { code } = await done;
    assert.equal(code, 1009, `closed with ${code}, expected 1009 (message too big)`);

    const s2 = track(await open(good(), h.server.origin, cookie));
    assert.equal((await call(s2, { type: 'call', id: 1, method: 'app.info', params: {} })).type, 'result');
  });

  it('accepts a message just under 1 MiB (it is answered, not dropped)', async () => {
    const s = track(await open(good(), h.server.origin, cookie));
    const base = JSON.stringify({ type: 'call', id: 5, method: 'app.info', params: { pad: '' } });
    const message = JSON.stringify({ type: 'call', id: 5, method: 'app.info', params: { pad: 'x'.repeat(MAX_MESSAGE_BYTES - base.length) } });
    assert.equal(Buffer.byteLength(message), MAX_MESSAGE_BYTES);
    const reply = await call(s, message);
    assert.equal(reply.id, 5);
    assert.equal(reply.error!.code, 'INVALID_ARGUMENT', 'the unknown "pad" field is refused by the contract');
  });

  it('pushes events to every connected client', async () => {
    const a = track(await open(good(), h.server.origin, cookie));
    const b = track(await open(good(), h.server.origin, cookie));
    const got = (s: WS) =>
      new Promise<unknown>((resolve) =>
        s.on('message', (d) => {
          const m = JSON.parse(d.toString()) as { type: string };
          if (m.type === 'event') resolve(m);
        }),
      );
    const pa = got(a);
    const pb = got(b);
    h.app.events.emit('volumes.changed', {});
    assert.deepEqual(await pa, { type: 'event', event: 'volumes.changed', payload: {} });
    assert.deepEqual(await pb, { type: 'event', event: 'volumes.changed', payload: {} });
  });

  it('listens on 127.0.0.1 only', async () => {
    assert.equal(new URL(h.server.origin).hostname, '127.0.0.1');
    assert.ok(h.server.url.startsWith(`http://127.0.0.1:${h.server.port}/?code=`));
    // Every other address of this machine (link-local IPv6 with its interface), and IPv6 loopback.
    const others = Object.entries(os.networkInterfaces()).flatMap(([ifname, list]) =>
      (list ?? []).filter((a) => !a.internal).map((a) => (a.family === 'IPv6' && a.address.startsWith('fe80:') ? `${a.address}%${ifname}` : a.address)),
    );
    const candidates = [...others, '::1'];
    for (const address of candidates) {
      const outcome = await new Promise<string>((resolve) => {
        const sock = net.connect({ host: address, port: h.server.port });
        sock.setTimeout(2000, () => {
          sock.destroy();
          resolve('timeout');
        });
        sock.once('connect', () => {
          sock.destroy();
          resolve('connected');
        });
        sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      assert.notEqual(outcome, 'connected', `the server answers on ${address}`);
    }
  });

  it('serves index.html at / with a Content-Security-Policy allowing only its own scripts', async () => {
    const r = await httpGet(h.server.port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body, INDEX_HTML);
    const csp = String(r.headers['content-security-policy'] ?? '');
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${h.server.port}`));
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-(inline|eval)/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(String(r.headers['content-type']), /^text\/html/);
  });

  for (const attempt of [
    '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/../../../../../../etc/passwd',
    '/..\\..\\..\\..\\..\\..\\etc\\passwd',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
  ]) {
    it(`does not serve files outside the renderer folder: ${attempt}`, async () => {
      const r = await httpGet(h.server.port, attempt);
      assert.ok(!r.body.includes('root:'), `${attempt} returned /etc/passwd`);
      if (passwd) assert.ok(!r.body.includes(passwd.slice(0, 40)));
      assert.ok([200, 400, 403, 404].includes(r.status), `status ${r.status}`);
      if (r.status === 200) assert.equal(r.body, INDEX_HTML, 'a 200 must be the app page itself');
    });
  }

  it('does not accept other methods than GET and HEAD', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: h.server.port, path: '/', method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('x');
    });
    assert.equal(status, 405);
  });

  it('the WebSocketTransport reports a refused connection as DISCONNECTED', async () => {
    const transport = new WebSocketTransport(apiUrl(h.server), socketFactory(h.server, `dvom_session_${h.server.port}=wrong`));
    const client = new ApiClient(transport);
    await assert.rejects(client.call('app.info', {}), (err: unknown) => err instanceof ApiError && err.code === 'DISCONNECTED');
    transport.close();
  });

  it('the WebSocketTransport fails calls with DISCONNECTED once the server is gone', async () => {
    const other = await createWsHarness();
    assert.equal((await other.client.call('app.info', {})).keychain, 'test keychain');
    await other.server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await assert.rejects(other.client.call('app.info', {}), (err: unknown) => err instanceof ApiError && err.code === 'DISCONNECTED');
    await other.close();
  });

  it('a closed server refuses new connections', async () => {
    const other = await createWsHarness();
    const url = apiUrl(other.server);
    const origin = other.server.origin;
    const s = await open(url, origin, await loginCookie(other.server));
    const gone = closed(s);
    await other.close();
    await gone;
    await assert.rejects(connect(url, origin), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
  });
});
