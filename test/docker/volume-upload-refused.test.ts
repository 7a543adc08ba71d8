/**
 * An engine that refuses an archive upload before it has read all of it
 * (a loopback proxy in front of the real engine answers 500 after the first
 * MiB of the PUT): writing into the volume stops at once and reports the
 * engine's answer, rather than producing (in a restore: decrypting) the rest
 * of the archive for nothing.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, it } from 'node:test';
import { connectDocker } from '../../src/main/docker/docker-client.ts';
import { resolveEngine } from '../../src/main/docker/docker-context.ts';
import { writeVolume } from '../../src/main/docker/volume-archive.ts';
import { isDvomError } from '../../src/main/engine/errors.ts';
import { TarWriter } from '../../src/main/engine/tar/tar-writer.ts';
import { assertNoLeftovers, describeWithDocker, useDockerFixture } from './docker-fixtures.ts';

const REFUSE_AFTER = 1024 * 1024;
const FILE = 4 * 1024 * 1024;
const FILES = 64; // 256 MiB in all

/** Forwards every request to the engine's socket, except archive uploads: those get a 500 after REFUSE_AFTER bytes. */
function refusingProxy(socketPath: string): http.Server {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT' && /\/containers\/[^/]+\/archive/.test(req.url ?? '')) {
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen < REFUSE_AFTER || res.headersSent) return;
        res.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ message: 'archive refused by the test proxy' }));
      });
      return;
    }
    const upstream = http.request({ socketPath, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return server;
}

await describeWithDocker('an archive upload the engine refuses early (real Docker engine behind a loopback proxy)', () => {
  const fx = useDockerFixture();
  const host = resolveEngine({}).host;
  let proxy: http.Server | undefined;
  let port = 0;

  before(async () => {
    if (!host.startsWith('unix://')) return;
    proxy = refusingProxy(host.slice('unix://'.length));
    await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', resolve));
    port = (proxy.address() as AddressInfo).port;
  });

  after(async () => {
    proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  });

  // Bounded: the failure this guards against is a producer waiting for room for ever.
  it('stops the producer at its next write and reports the engine\'s answer', { timeout: 60_000 }, async (t) => {
    if (!proxy) return t.skip(`the proxy forwards to a unix socket; this engine is at ${host}`);
    const docker = await connectDocker({ name: 'refusing-proxy', host: `tcp://127.0.0.1:${port}`, source: 'DOCKER_HOST' });
    const volume = await fx.volume('refused');
    const data = Buffer.alloc(FILE, 7);
    let written = 0;
    let finished = false;
    await assert.rejects(
      writeVolume(docker, volume, async (out) => {
        const tar = new TarWriter(out);
        for (let i = 0; i < FILES; i++) {
          const header = { path: Buffer.from(`volume/f${i}`), type: 'file' as const, mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, size: FILE };
          await tar.add(header, (async function* () {
            yield data;
          })());
          written += FILE;
        }
        await tar.finish();
        finished = true;
      }),
      (err) => isDvomError(err, 'ERROR') && /cannot write to volume '.*': .*archive refused by the test proxy/.test(err.message),
    );
    assert.equal(finished, false, 'the producer ran to its end');
    assert.ok(written < FILES * FILE / 4, `the producer went on after the refusal: ${written >> 20} of ${(FILES * FILE) >> 20} MiB written`);
    await assertNoLeftovers();
  });
});
