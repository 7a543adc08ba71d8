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

/** Starts an engine worker (see workerUrl) with a small heap. */
export function engineWorker(name: string): Worker {
  return new Worker(workerUrl(name), { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
}
