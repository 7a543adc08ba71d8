import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { ProgressListener } from '../../shared/progress.ts';
import { checkStackName, listStacks, PROJECT_LABEL, stackStopOrder } from '../docker/compose.ts';
import { withStoppedContainers } from '../docker/stopped-containers.ts';
import { clearVolume, copyVolume, isVolumeEmpty } from '../docker/volume-archive.ts';
import { containersUsing, createVolume, removeVolume, volumeExists } from '../docker/volumes.ts';
import { destinationNotEmpty, DvomError, isDvomError, usageError } from '../engine/errors.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import { phaseSteps } from '../volumes/phase-steps.ts';
import { writeVersionToVolume } from '../volumes/restore-volume.ts';

/**
 * Restoring a Compose stack: every volume of a version back into the volume
 * of the same name. As with a single volume's --force, each is first
 * restored and verified into a staging volume; only when all of them are
 * does anything on the stack change: its running containers are stopped
 * (dependents first), the volumes replaced, the containers started again.
 */
export interface StackRestoreOptions {
  /** Replace volumes that hold data (else they are refused, DESTINATION_NOT_EMPTY). */
  force?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  log?: (message: string) => void;
  onContainersDown?: (ms: number) => void;
}

export interface StackRestoreResult {
  volumes: { volume: string; created: boolean; replaced: boolean }[];
  files: number;
  bytes: number;
}

/** Labels that let Compose adopt a volume it did not create (`<project>_<key>`), as if it had. */
function composeLabels(stack: string, volume: string): Record<string, string> {
  const prefix = `${stack}_`;
  return volume.startsWith(prefix) ? { [PROJECT_LABEL]: stack, 'com.docker.compose.volume': volume.slice(prefix.length) } : {};
}

export async function restoreStack(repo: Repository, docker: Docker, version: VersionSummary, stackName: string, options: StackRestoreOptions = {}): Promise<StackRestoreResult> {
  checkStackName(stackName);
  if (version.sourceKind !== 'volume' || !version.volumes.length) throw usageError(`version ${version.id} is a folder backup, not one of volumes`);
  const log = options.log ?? (() => undefined);
  const steps = phaseSteps(options.onProgress);
  // The stack may be gone (a new host): then its volumes are created and no container is stopped.
  const stack = (await listStacks(docker)).find((s) => s.name === stackName);
  const stopOrder = stack ? stackStopOrder(stack) : [];
  const plans: { volume: string; exists: boolean; empty: boolean }[] = [];
  for (const volume of version.volumes) {
    steps.step('checking', volume);
    const exists = await volumeExists(docker, volume);
    const empty = exists ? await isVolumeEmpty(docker, volume) : true;
    if (exists && !stack?.volumes.includes(volume)) {
      // The version names its volumes (a store can name any): only the stack's own are replaced.
      throw usageError(`volume '${volume}' exists on this engine but is not part of stack '${stackName}'; nothing was changed (remove or rename it, or restore that volume on its own)`);
    }
    if (exists) {
      const running = (await containersUsing(docker, volume)).filter((c) => c.running && !stopOrder.includes(c.name));
      if (running.length) {
        throw usageError(`volume '${volume}' is in use by running container(s) ${running.map((c) => c.name).join(', ')} outside stack '${stackName}'; stop them first`);
      }
    }
    plans.push({ volume, exists, empty });
  }
  const full = plans.filter((p) => !p.empty).map((p) => p.volume);
  if (full.length && !options.force) throw destinationNotEmpty(`volume(s) ${full.join(', ')} of stack '${stackName}' are not empty; use --force to replace their contents`);

  const staging = new Map<string, string>();
  let files = 0;
  let bytes = 0;
  try {
    for (const { volume } of plans) {
      const temp = `dvom-restore-${randomBytes(4).toString('hex')}`;
      await createVolume(docker, temp, true);
      staging.set(volume, temp);
      const counts = await writeVersionToVolume(repo, docker, version, temp, { sourceVolume: volume, onProgress: steps.onProgress, signal: options.signal });
      files += counts.files;
      bytes += counts.bytes;
    }
    // Every volume is restored and verified: only now is the stack touched.
    const volumes = await withStoppedContainers(
      docker,
      stopOrder,
      async () => {
        const done: StackRestoreResult['volumes'] = [];
        for (const p of plans) {
          steps.step('replacing', p.volume);
          const temp = staging.get(p.volume)!;
          try {
            if (!p.exists) await createVolume(docker, p.volume, false, composeLabels(stackName, p.volume));
            else if (!p.empty) await clearVolume(docker, p.volume);
            await copyVolume(docker, temp, p.volume);
          } catch (err) {
            staging.delete(p.volume); // kept for the user to copy by hand
            const replaced = done.map((d) => d.volume);
            const untouched = plans.slice(done.length + 1).map((q) => q.volume);
            throw new DvomError(
              isDvomError(err) ? err.code : 'ERROR',
              `${(err as Error).message}; the verified restore of '${p.volume}' is kept in volume '${temp}' (copy it into '${p.volume}', then remove it)` +
                `; already restored: ${replaced.join(', ') || 'none'}; not touched: ${untouched.join(', ') || 'none'}`,
            );
          }
          done.push({ volume: p.volume, created: !p.exists, replaced: !p.empty });
        }
        return done;
      },
      { log, onStep: (step, container) => steps.step(step, container), ...(options.onContainersDown ? { onDowntime: options.onContainersDown } : {}) },
    );
    steps.finished();
    return { volumes, files, bytes };
  } finally {
    for (const temp of staging.values()) await removeVolume(docker, temp).catch(() => undefined); // labelled temporary: swept later if this fails
  }
}
