import type Docker from 'dockerode';
import * as https from 'node:https';
import { DvomError } from '../engine/errors.ts';
import { checkEndpointScheme, resolveEngine, type DockerEndpoint, type EngineRef } from './docker-context.ts';
import { deferUnusedDockerModules } from './deferred-modules.ts';

/** The engine a connection talks to (set by connectDocker): what a backup records as its source. */
const engines = new WeakMap<Docker, EngineRef>();

export function engineOf(docker: Docker): EngineRef | undefined {
  return engines.get(docker);
}

function howToStart(endpoint: DockerEndpoint): string {
  if (endpoint.name !== 'default' || process.env.DOCKER_HOST) return `check that the engine at ${endpoint.host} is running and reachable`;
  if (process.platform === 'linux') return 'start it with `sudo systemctl start docker` (or `sudo dockerd`), and check you may use /var/run/docker.sock';
  return 'start Docker Desktop';
}

/**
 * dockerode's options for an endpoint. Every connection key is given, so
 * docker-modem's own reading of DOCKER_HOST (which it merges under the
 * options) never redirects a chosen context elsewhere.
 */
export function clientOptions(endpoint: DockerEndpoint): Docker.DockerOptions {
  checkEndpointScheme(endpoint.host);
  const none = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined };
  const scheme = /^([a-z]+):\/\//.exec(endpoint.host)?.[1];
  if (scheme === 'unix' || scheme === 'npipe') {
    return { ...none, socketPath: endpoint.host.slice(scheme.length + 3) || (scheme === 'npipe' ? '//./pipe/docker_engine' : '/var/run/docker.sock') };
  }
  const url = new URL(scheme ? endpoint.host : `tcp://${endpoint.host}`);
  if (scheme === 'ssh') {
    // docker-modem runs `docker system dial-stdio` over SSH, authenticated by the SSH agent.
    return { ...none, protocol: 'ssh', host: url.hostname, port: url.port || '22', username: decodeURIComponent(url.username), sshOptions: { agent: process.env.SSH_AUTH_SOCK } } as Docker.DockerOptions;
  }
  const tls = endpoint.tls;
  const port = url.port || (tls ? '2376' : '2375');
  // 2376 is TLS by convention (docker-modem's rule too, for DOCKER_HOST without DOCKER_TLS_VERIFY).
  if (!tls && port !== '2376') return { ...none, protocol: 'http', host: url.hostname, port };
  if (!tls) return { ...none, protocol: 'https', host: url.hostname, port };
  const material = { ...(tls.ca ? { ca: tls.ca } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) };
  return {
    ...none,
    protocol: 'https',
    host: url.hostname,
    port,
    ...material,
    // SkipTLSVerify: docker-modem has no such option, so the agent carries it.
    ...(tls.skipVerify ? { agent: new https.Agent({ ...material, rejectUnauthorized: false }) } : {}),
  };
}

/**
 * Connects to an engine (default: the one resolveEngine picks from the
 * environment, the docker CLI's config and DVOM's). Fails with a clear
 * DOCKER_UNAVAILABLE error if no engine answers.
 */
export async function connectDocker(endpoint: DockerEndpoint = resolveEngine({}), timeoutMs = 10_000): Promise<Docker> {
  let docker: Docker;
  try {
    const options = clientOptions(endpoint);
    // Loaded on first use: most commands never talk to Docker, and dockerode is large.
    deferUnusedDockerModules();
    const { default: DockerClient } = await import('dockerode');
    docker = new DockerClient(options);
  } catch (err) {
    if (err instanceof DvomError) throw err;
    throw new DvomError('DOCKER_UNAVAILABLE', `cannot use the Docker engine at ${endpoint.host}: ${(err as Error).message}`);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    const which = endpoint.name === 'default' ? endpoint.host : `${endpoint.host} (context ${endpoint.name})`;
    throw new DvomError('DOCKER_UNAVAILABLE', `cannot reach the Docker engine at ${which} (${(err as Error).message}); ${howToStart(endpoint)}`);
  } finally {
    clearTimeout(timer);
  }
  engines.set(docker, { name: endpoint.name, host: endpoint.host });
  return docker;
}

/** The HTTP status of a dockerode error, if it has one. */
export function dockerStatus(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The engine's own message of a dockerode error (its JSON body), else the error's message. */
export function dockerMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return (err as Error)?.message ?? String(err);
}
