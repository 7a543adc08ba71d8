import type Docker from 'dockerode';

/**
 * The Docker daemon's clock now, from /info (SystemTime): file times in a
 * volume come from the daemon's host, which for a remote engine is not this
 * machine, and the files cache's racy-timestamp horizon must be on that clock.
 * Falls back to this machine's clock if the daemon does not say.
 */
export async function daemonClockMs(docker: Docker): Promise<number> {
  const asked = Date.now();
  try {
    const info = (await docker.info()) as { SystemTime?: unknown };
    const time = typeof info.SystemTime === 'string' ? Date.parse(info.SystemTime) : NaN;
    // The answer describes some moment during the request: count from its start, the earlier bound.
    return Number.isFinite(time) ? time - (Date.now() - asked) : asked;
  } catch {
    return asked;
  }
}
