import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { DetailedError, DvomError, usageError } from '../engine/errors.ts';
import { splitCommandLine } from './command-line.ts';
import { dockerMessage } from './docker-client.ts';
import { HELPER_LABEL } from './helper-container.ts';

/**
 * App-consistent hooks: a container's dvom.backup.pre label is run (docker
 * exec) in it before its volumes are read, dvom.backup.post after, whatever
 * happened. Each label is one command line (see command-line.ts).
 */
export const PRE_HOOK_LABEL = 'dvom.backup.pre';
export const POST_HOOK_LABEL = 'dvom.backup.post';
/** Seconds a hook may take (default HOOK_TIMEOUT_S): a hook that hangs must not hold the backup, or a schedule, forever. */
export const TIMEOUT_LABEL = 'dvom.backup.timeout';
const HOOK_TIMEOUT_S = 600;

/** What is kept of a hook's output for the error and the log: its end, where the reason usually is. */
const OUTPUT_KEPT = 4096;

export interface ContainerHooks {
  container: string;
  pre?: string[];
  post?: string[];
  /** How long each of its hooks may run. */
  timeoutSeconds?: number;
}

/** The hooks of a container's labels; a malformed command line is a usage error naming the container. */
export function hooksFromLabels(container: string, labels: Record<string, string> | undefined): ContainerHooks | undefined {
  const parse = (label: string) => {
    const line = labels?.[label];
    if (line === undefined) return undefined;
    try {
      return splitCommandLine(line);
    } catch (err) {
      throw usageError(`container '${container}': label ${label}: ${(err as Error).message}`);
    }
  };
  const pre = parse(PRE_HOOK_LABEL);
  const post = parse(POST_HOOK_LABEL);
  if (!pre && !post) return undefined;
  const timeout = labels?.[TIMEOUT_LABEL];
  if (timeout !== undefined && !/^[1-9]\d{0,4}$/.test(timeout)) {
    throw usageError(`container '${container}': label ${TIMEOUT_LABEL}: give whole seconds from 1 to 99999, got '${timeout.slice(0, 40)}'`);
  }
  return { container, ...(pre ? { pre } : {}), ...(post ? { post } : {}), ...(timeout ? { timeoutSeconds: Number(timeout) } : {}) };
}

/** The hooks of the running containers that mount any of `volumes`, by container name. */
export async function hooksForVolumes(docker: Docker, volumes: string[]): Promise<ContainerHooks[]> {
  const found = new Map<string, ContainerHooks>();
  for (const volume of volumes) {
    const list = await docker.listContainers({ filters: { volume: [volume], status: ['running'] } });
    for (const c of list) {
      if (c.Labels?.[HELPER_LABEL]) continue;
      const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
      const hooks = hooksFromLabels(name, c.Labels);
      if (hooks) found.set(name, hooks);
    }
  }
  return [...found.values()].sort((a, b) => a.container.localeCompare(b.container));
}

export interface HookResult {
  exitCode: number | null;
  /** stdout and stderr as they came, only the last OUTPUT_KEPT bytes. */
  output: string;
}

/** Runs one command in a running container without a shell, collecting its output. */
export async function runInContainer(docker: Docker, container: string, argv: string[], signal?: AbortSignal): Promise<HookResult> {
  const exec = await docker.getContainer(container).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
  const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadWriteStream & { destroy(err?: Error): void };
  let kept = Buffer.alloc(0);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      kept = Buffer.concat([kept, chunk]);
      if (kept.length > OUTPUT_KEPT) kept = kept.subarray(kept.length - OUTPUT_KEPT);
      done();
    },
  });
  docker.modem.demuxStream(stream, sink, sink);
  const onAbort = () => stream.destroy(new DvomError('CANCELLED', 'operation cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? null, output: kept.toString('utf8') };
}

/** Names the hook by its label and program only: the rest of a command line may hold a secret (PGPASSWORD=…). */
function describe(kind: 'pre' | 'post', hooks: ContainerHooks): string {
  return `${kind}-backup hook of container '${hooks.container}' (label dvom.backup.${kind}, program ${(kind === 'pre' ? hooks.pre : hooks.post)![0]})`;
}

function outputPart(output: string): string {
  const text = output.trim();
  return text ? `; its output:\n${text}` : ' (it printed nothing)';
}

/** A hook that could not be run or exited non-zero: HOOK_FAILED, with its output in the message. */
async function runHook(docker: Docker, kind: 'pre' | 'post', hooks: ContainerHooks, signal?: AbortSignal): Promise<void> {
  const argv = kind === 'pre' ? hooks.pre! : hooks.post!;
  const seconds = hooks.timeoutSeconds ?? HOOK_TIMEOUT_S;
  const limit = AbortSignal.timeout(seconds * 1000);
  let result: HookResult;
  try {
    result = await runInContainer(docker, hooks.container, argv, signal ? AbortSignal.any([signal, limit]) : limit);
  } catch (err) {
    if (limit.aborted && !signal?.aborted) {
      throw new DetailedError(
        'ERROR',
        'HOOK_FAILED',
        `the ${describe(kind, hooks)} did not finish within ${seconds} s (label ${TIMEOUT_LABEL} sets the limit); it may still be running in the container`,
      );
    }
    if (err instanceof DvomError) throw err;
    throw new DetailedError('ERROR', 'HOOK_FAILED', `the ${describe(kind, hooks)} could not be run: ${dockerMessage(err)}`);
  }
  if (result.exitCode !== 0) {
    throw new DetailedError('ERROR', 'HOOK_FAILED', `the ${describe(kind, hooks)} failed with exit code ${result.exitCode ?? 'unknown'}${outputPart(result.output)}`);
  }
}

/**
 * Runs the pre hooks, then `fn`, then every post hook however the others and
 * `fn` ended. A failing pre hook aborts (HOOK_FAILED) before `fn`; a failing
 * post hook is reported through `log` and does not undo a finished backup.
 */
export async function withBackupHooks<T>(
  docker: Docker,
  hooks: ContainerHooks[],
  fn: () => Promise<T>,
  options: { log?: ((message: string) => void) | undefined; signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const log = options.log ?? (() => undefined);
  try {
    for (const h of hooks) {
      if (!h.pre) continue;
      log(`Running the pre-backup hook of container ${h.container}`);
      await runHook(docker, 'pre', h, options.signal);
    }
    return await fn();
  } finally {
    for (const h of hooks) {
      if (!h.post) continue;
      log(`Running the post-backup hook of container ${h.container}`);
      // Not cancelled with the backup: whatever the pre hook froze must be thawed.
      await runHook(docker, 'post', h).catch((err: Error) => log(`Warning: ${err.message}`));
    }
  }
}
