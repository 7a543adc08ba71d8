import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { DetailedError, DvomError, notFound, usageError } from '../engine/errors.ts';

/**
 * Docker engines as the docker CLI knows them: the "default" engine
 * (DOCKER_HOST, else the local socket) and the contexts under
 * $DOCKER_CONFIG/contexts (default ~/.docker). This file only reads; it
 * never writes the docker CLI's files.
 */

/** What an engine is called and where it listens; what a backup records of its source. */
export interface EngineRef {
  /** The context's name; 'default' for DOCKER_HOST or the local socket. */
  name: string;
  /** unix://…, npipe://…, tcp://host:port (as the context or DOCKER_HOST gives it). */
  host: string;
}

/** How the engine in use was chosen, highest first. */
export type EngineSource = 'flag' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'dvom-config' | 'docker-config' | 'built-in';

export interface DockerEndpoint extends EngineRef {
  source: EngineSource;
  /** TLS for tcp:// endpoints: the context's material (or DOCKER_CERT_PATH's for the default engine). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; skipVerify: boolean };
}

export interface EngineChoice {
  /** Chosen for this process: the CLI's --context, or the engine picked in the app. */
  explicit?: string | undefined;
  /** DVOM's remembered choice (config docker.context), below the environment like the docker CLI's currentContext. */
  remembered?: string | undefined;
}

export const DEFAULT_ENGINE = 'default';
/** The docker CLI's rule for context names. */
export const CONTEXT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/;

export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(homedir(), '.docker');
}

function defaultHost(env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  if (process.platform === 'win32') return 'npipe:////./pipe/docker_engine';
  // Docker Desktop's per-user socket first, as DVOM did before contexts (docker-modem's rule).
  const desktop = path.join(homedir(), '.docker', 'run', 'docker.sock');
  return fs.existsSync(desktop) ? `unix://${desktop}` : 'unix:///var/run/docker.sock';
}

/** The docker CLI keeps a context under the SHA-256 of its name. */
const contextId = (name: string) => createHash('sha256').update(name).digest('hex');

interface ContextMeta {
  name: string;
  host: string;
  description?: string;
  skipVerify: boolean;
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** One context's meta.json, or undefined if it is not a docker-endpoint context DVOM can read. */
function readMeta(file: string): ContextMeta | undefined {
  let meta: unknown;
  try {
    meta = readJson(file);
  } catch {
    return undefined;
  }
  const m = meta as { Name?: unknown; Metadata?: { Description?: unknown }; Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | null;
  const docker = m?.Endpoints?.docker;
  if (typeof m?.Name !== 'string' || !CONTEXT_NAME.test(m.Name) || typeof docker?.Host !== 'string' || !docker.Host) return undefined;
  const description = typeof m.Metadata?.Description === 'string' ? m.Metadata.Description : undefined;
  return { name: m.Name, host: docker.Host, skipVerify: docker.SkipTLSVerify === true, ...(description ? { description } : {}) };
}

function metaDir(env: NodeJS.ProcessEnv): string {
  return path.join(dockerConfigDir(env), 'contexts', 'meta');
}

/** The contexts the docker CLI has stored (not the default one), by name. */
export function storedContexts(env: NodeJS.ProcessEnv = process.env): ContextMeta[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(metaDir(env));
  } catch {
    return [];
  }
  const found = ids.flatMap((id) => {
    const meta = readMeta(path.join(metaDir(env), id, 'meta.json'));
    // A folder not named by its context's hash is not the docker CLI's: skip it rather than guess.
    return meta && contextId(meta.name) === id ? [meta] : [];
  });
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The docker CLI's currentContext (config.json), if set. */
function dockerCurrentContext(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const current = (readJson(path.join(dockerConfigDir(env), 'config.json')) as { currentContext?: unknown } | null)?.currentContext;
    return typeof current === 'string' && current ? current : undefined;
  } catch {
    return undefined;
  }
}

/** Which context name is in use, and why: the docker CLI's order, with DVOM's remembered choice where currentContext stands. */
export function chosenContext(choice: EngineChoice, env: NodeJS.ProcessEnv = process.env): { name: string; source: EngineSource } {
  if (choice.explicit) return { name: choice.explicit, source: 'flag' };
  if (env.DOCKER_HOST) return { name: DEFAULT_ENGINE, source: 'DOCKER_HOST' };
  if (env.DOCKER_CONTEXT) return { name: env.DOCKER_CONTEXT, source: 'DOCKER_CONTEXT' };
  if (choice.remembered) return { name: choice.remembered, source: 'dvom-config' };
  const current = dockerCurrentContext(env);
  if (current) return { name: current, source: 'docker-config' };
  return { name: DEFAULT_ENGINE, source: 'built-in' };
}

function readTlsFile(dir: string, file: string): Buffer | undefined {
  try {
    return fs.readFileSync(path.join(dir, file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DvomError('DOCKER_UNAVAILABLE', `cannot read ${path.join(dir, file)}: ${(err as Error).message}`);
  }
}

function tlsFrom(dir: string, skipVerify: boolean): DockerEndpoint['tls'] {
  const ca = readTlsFile(dir, 'ca.pem');
  const cert = readTlsFile(dir, 'cert.pem');
  const key = readTlsFile(dir, 'key.pem');
  if (!ca && !cert && !key && !skipVerify) return undefined;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), skipVerify };
}

/** The endpoint of a named engine ('default' or a stored context). */
export function engineEndpoint(name: string, source: EngineSource, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  if (name === DEFAULT_ENGINE) {
    const host = defaultHost(env);
    // DOCKER_TLS_VERIFY and DOCKER_CERT_PATH apply to DOCKER_HOST, as for the docker CLI.
    const tls = env.DOCKER_HOST && (env.DOCKER_TLS_VERIFY || env.DOCKER_CERT_PATH) ? tlsFrom(env.DOCKER_CERT_PATH || dockerConfigDir(env), false) : undefined;
    return { name, host, source, ...(tls ? { tls } : {}) };
  }
  if (!CONTEXT_NAME.test(name)) throw usageError(`'${name}' is not a Docker context name (letters, digits, "_", ".", "+", "-")`);
  const id = contextId(name);
  const meta = readMeta(path.join(metaDir(env), id, 'meta.json'));
  if (!meta || meta.name !== name) {
    throw notFound(`Docker context '${name}' not found in ${metaDir(env)} (see: docker context ls)`);
  }
  const tls = tlsFrom(path.join(dockerConfigDir(env), 'contexts', 'tls', id, 'docker'), meta.skipVerify);
  return { name, host: meta.host, source, ...(tls ? { tls } : {}) };
}

/** The engine DVOM uses for `choice`. */
export function resolveEngine(choice: EngineChoice, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const { name, source } = chosenContext(choice, env);
  return engineEndpoint(name, source, env);
}

export interface EngineListing extends EngineRef {
  description?: string;
}

/** Every engine the user can pick: the default one first, then the stored contexts. */
export function listEngines(env: NodeJS.ProcessEnv = process.env): EngineListing[] {
  const stored = storedContexts(env).filter((c) => c.name !== DEFAULT_ENGINE);
  return [
    { name: DEFAULT_ENGINE, host: defaultHost(env), description: env.DOCKER_HOST ? 'DOCKER_HOST' : 'the local Docker engine' },
    ...stored.map((c) => ({ name: c.name, host: c.host, ...(c.description ? { description: c.description } : {}) })),
  ];
}

/** Refuses endpoints DVOM cannot connect to, naming the scheme. */
export function checkEndpointScheme(host: string): void {
  const scheme = /^([a-z]+):\/\//.exec(host)?.[1] ?? 'tcp'; // host:port alone means tcp, as for the docker CLI
  if (['unix', 'npipe', 'tcp', 'ssh'].includes(scheme)) return;
  throw new DetailedError('DOCKER_UNAVAILABLE', 'DOCKER_HOST_UNSUPPORTED', `cannot use the Docker engine at ${host}: ${scheme}:// is not supported (use unix://, npipe://, tcp:// or ssh://)`);
}
