import type Docker from 'dockerode';
import { findStack, stackStopOrder, type Stack } from '../docker/compose.ts';
import { hooksForVolumes, withBackupHooks } from '../docker/backup-hooks.ts';
import { withStoppedContainers } from '../docker/stopped-containers.ts';
import { DvomError, usageError } from '../engine/errors.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { OpenedVersion } from '../engine/repo/version-file.ts';
import { backupVolumes, type VolumeBackupOptions } from '../volumes/backup-volumes.ts';

/**
 * Backing up a Compose stack, the same for the CLI, the app and the
 * scheduler: every volume of the stack, with its running containers stopped
 * dependents first and started again dependencies first, whatever happens.
 */
export type StackBackupOptions = Omit<VolumeBackupOptions, 'volumes' | 'stopContainers'>;

export interface StackPlan {
  stack: Stack;
  volumes: string[];
  /** Running containers, in the order they are stopped (restarted in reverse). */
  stopOrder: string[];
}

/** The stack's volumes and stop order; a stack without volumes is refused. */
export async function planStackBackup(docker: Docker, name: string): Promise<StackPlan> {
  const stack = await findStack(docker, name);
  if (!stack.volumes.length) throw usageError(`Compose stack '${name}' has no volumes to back up`);
  return { stack, volumes: stack.volumes, stopOrder: stackStopOrder(stack) };
}

/** All the stack's volumes as one version of one backup. */
export async function backupStack(repo: Repository, docker: Docker, plan: StackPlan, options: StackBackupOptions): Promise<OpenedVersion> {
  return backupVolumes(repo, docker, { ...options, volumes: plan.volumes, stopContainers: plan.stopOrder });
}

/** The backup a volume goes to when a stack is backed up one backup per volume. */
export function perVolumeBackupName(base: string, volume: string): string {
  return `${base}-${volume}`;
}

/**
 * One backup per volume (`perVolumeBackupName`). The hooks run and the
 * containers are stopped once, around all of them, so the copies are of one
 * moment. `each` opens (or creates) a volume's backup and runs `backup` into
 * it; it is where a new backup is undone when its first version fails.
 */
export async function backupStackPerVolume(
  docker: Docker,
  plan: StackPlan,
  options: StackBackupOptions,
  each: (volume: string, backup: (repo: Repository) => Promise<OpenedVersion>) => Promise<OpenedVersion>,
): Promise<OpenedVersion[]> {
  const log = options.log ?? (() => undefined);
  // The containers' downtime is that of the whole run, reported once.
  const { onContainersDown: _once, ...inner } = options;
  const hooks = await hooksForVolumes(docker, plan.volumes);
  return withBackupHooks(
    docker,
    hooks,
    () =>
      withStoppedContainers(
        docker,
        plan.stopOrder,
        async () => {
          const versions: OpenedVersion[] = [];
          for (const volume of plan.volumes) {
            if (options.signal?.aborted) throw new DvomError('CANCELLED', 'operation cancelled');
            versions.push(await each(volume, (repo) => backupVolumes(repo, docker, { ...inner, volumes: [volume], hooks: false })));
          }
          return versions;
        },
        { log, ...(options.onContainersDown ? { onDowntime: options.onContainersDown } : {}) },
      ),
    { log, signal: options.signal },
  );
}
