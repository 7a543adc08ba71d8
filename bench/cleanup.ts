/**
 * Cleanups that must also run when the bench is interrupted (Ctrl-C,
 * SIGTERM): Docker volumes, containers and images, S3 buckets, services the
 * bench started. Sections register them while they own the resources; the
 * runner's signal handler runs whatever is registered.
 */
const pending = new Set<() => Promise<void>>();

/** Registers `fn` to run on an interrupt; returns a function that unregisters it. */
export function onInterrupt(fn: () => Promise<void>): () => void {
  pending.add(fn);
  return () => pending.delete(fn);
}

/** Runs every registered cleanup (latest first), each at most `timeoutMs`; reports failures on stderr. */
export async function runInterruptCleanups(timeoutMs = 60_000): Promise<void> {
  const fns = [...pending].reverse();
  pending.clear();
  for (const fn of fns) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      process.stderr.write(`bench: cleanup failed: ${(err as Error).message}\n`);
    } finally {
      clearTimeout(timer);
    }
  }
}
