import type Docker from 'dockerode';
import { DvomError } from '../engine/errors.ts';

/** Where the client will connect, as the docker CLI would: DOCKER_HOST, else the local socket. */
export function describeDockerHost(): string {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  return process.platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

function howToStart(): string {
  if (process.env.DOCKER_HOST) return `check that the engine at ${process.env.DOCKER_HOST} is running and reachable`;
  if (process.platform === 'linux') return 'start it with `sudo systemctl start docker` (or `sudo dockerd`), and check you may use /var/run/docker.sock';
  return 'start Docker Desktop';
}

/**
 * Connects like the docker CLI: docker-modem reads DOCKER_HOST (unix://,
 * tcp:// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ssh://) and otherwise uses
 * the local socket. Fails with a clear DOCKER_UNAVAILABLE error if no engine answers.
 */
export async function connectDocker(timeoutMs = 10_000): Promise<Docker> {
  let docker: Docker;
  try {
    // Loaded on first use: most commands never talk to Docker, and dockerode is large.
    const { default: DockerClient } = await import('dockerode');
    docker = new DockerClient();
  } catch (err) {
    throw new DvomError('DOCKER_UNAVAILABLE', `cannot use DOCKER_HOST=${describeDockerHost()}: ${(err as Error).message}`);
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
    throw new DvomError(
      'DOCKER_UNAVAILABLE',
      `cannot reach the Docker engine at ${describeDockerHost()} (${(err as Error).message}); ${howToStart()}`,
    );
  } finally {
    clearTimeout(timer);
  }
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
