import { Worker } from 'node:worker_threads';

/**
 * A worker script of the engine: the .ts file when running from source (type
 * stripping), the .js one when built. `name` is relative to the engine folder.
 */
export function workerUrl(name: string): URL {
  return new URL(`./${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
}

/**
 * The engine's workers hold nothing but the message in hand, whose bytes live
 * outside the heap; left to grow, each one's young generation would reach
 * tens of MiB all the same. A few MiB is plenty.
 */
const WORKER_YOUNG_GENERATION_MB = 4;

/**
 * A worker inherits the process's Node options, but --input-type stops one
 * that runs a file from starting (a program run as `node --input-type=module
 * -e` could otherwise never back up a large file). Only then are the options
 * given explicitly: given, they are checked more strictly than inherited.
 */
function workerExecArgv(): { execArgv?: string[] } {
  const kept = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
  return kept.length === process.execArgv.length ? {} : { execArgv: kept };
}

/** Starts an engine worker (see workerUrl) with a small heap. */
export function engineWorker(name: string): Worker {
  return new Worker(workerUrl(name), { ...workerExecArgv(), resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
}
