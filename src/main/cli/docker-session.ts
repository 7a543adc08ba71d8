import type Docker from 'dockerode';
import { connectDocker } from '../docker/docker-client.ts';
import { sweepLeftovers } from '../docker/helper-container.ts';
import { resolveEngine } from '../docker/docker-context.ts';
import { str, type CommandContext } from './command.ts';
import { spinner } from './progress-bar.ts';

/** Connects to the Docker engine with a spinner, and clears leftovers of killed runs. */
export async function dockerFor(ctx: CommandContext): Promise<Docker> {
  const stop = spinner(ctx.output.interactive, 'Connecting to the Docker engine…');
  try {
    const docker = await connectDocker(resolveEngine({ explicit: str(ctx.values, 'context'), remembered: ctx.config.docker.context }));
    await sweepLeftovers(docker).catch(() => undefined);
    return docker;
  } finally {
    stop();
  }
}

/** Splits a comma-separated option (--stop-containers=a,b) into names. */
export function listOption(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
}
