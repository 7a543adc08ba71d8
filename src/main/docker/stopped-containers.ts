import type Docker from 'dockerode';
import { DvomError, notFound } from '../engine/errors.ts';
import { dockerMessage, dockerStatus } from './docker-client.ts';

export interface StopOptions {
  /** Messages for the user (containers stopped and started, a failed restart). */
  log?: ((message: string) => void) | undefined;
  /** Called as each container starts stopping or starting again: stopping can take Docker's 10 s grace period. */
  onStep?: ((step: 'stopping' | 'starting', container: string) => void) | undefined;
  /** How long the containers were down: from the first stop until the last one was started again. */
  onDowntime?: ((ms: number) => void) | undefined;
}

/**
 * Stops the named containers, in the order given, for the duration of `fn`
 * and restarts exactly those that were running, in the reverse order (a
 * stack is stopped dependents first and started dependencies first), however
 * `fn` ends (error or cancel included).
 */
export async function withStoppedContainers<T>(docker: Docker, names: string[], fn: () => Promise<T>, options: StopOptions = {}): Promise<T> {
  const log = options.log ?? (() => undefined);
  const toRestart: string[] = [];
  let stoppedAt: number | undefined;
  // Resolve all names first, so a typo fails before anything is stopped.
  const targets: { name: string; running: boolean }[] = [];
  for (const name of names) {
    try {
      const info = await docker.getContainer(name).inspect();
      targets.push({ name, running: info.State.Running });
    } catch (err) {
      if (dockerStatus(err) === 404) throw notFound(`container '${name}' does not exist`);
      throw new DvomError('ERROR', `cannot inspect container '${name}': ${dockerMessage(err)}`);
    }
  }
  try {
    for (const t of targets) {
      if (!t.running) continue;
      log(`Stopping container ${t.name}`);
      options.onStep?.('stopping', t.name);
      stoppedAt ??= performance.now();
      try {
        await docker.getContainer(t.name).stop();
      } catch (err) {
        if (dockerStatus(err) !== 304) throw new DvomError('ERROR', `cannot stop container '${t.name}': ${dockerMessage(err)}`);
      }
      toRestart.push(t.name);
    }
    return await fn();
  } finally {
    const failures: string[] = [];
    for (const name of toRestart.toReversed()) {
      log(`Starting container ${name}`);
      options.onStep?.('starting', name);
      try {
        await docker.getContainer(name).start();
      } catch (err) {
        if (dockerStatus(err) !== 304) failures.push(`${name}: ${dockerMessage(err)}`);
      }
    }
    if (failures.length) log(`Warning: could not restart ${failures.join('; ')}`);
    else if (stoppedAt !== undefined) options.onDowntime?.(performance.now() - stoppedAt);
  }
}
