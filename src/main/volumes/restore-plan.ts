import type Docker from 'dockerode';
import { destinationNotEmpty, DvomError, notFound, usageError } from '../engine/errors.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import { dockerMessage, dockerStatus } from '../docker/docker-client.ts';
import { isVolumeEmpty } from '../docker/volume-archive.ts';
import { checkVolumeName, containersUsing, volumeExists } from '../docker/volumes.ts';
import { sourceSelector } from './volume-paths.ts';

/** What restoring into a volume will do; decided before anything is written (and all a test restore's report needs). */
export interface VolumeRestorePlan {
  destination: string;
  /**
   * create: a new volume; fill: an existing empty one; replace: a non-empty one (--force), through a verified staging volume;
   * merge: into a non-empty one keeping what else it holds, also through a verified staging volume.
   */
  action: 'create' | 'fill' | 'replace' | 'merge';
  /** Named containers that are running now: stopped for the restore and started again afterwards. */
  stops: string[];
}

export interface VolumeRestoreRequest {
  targetVolume: string;
  sourceVolume?: string | undefined;
  force?: boolean | undefined;
  /** Write the restored files into a non-empty destination, keeping the rest (no force needed). */
  merge?: boolean | undefined;
  stopContainers?: string[] | undefined;
}

/**
 * Checks a volume restore the way the restore itself does, touching nothing:
 * the same refusals (bad --volume, a non-empty destination without force, a
 * destination in use by a running container that is not stopped, an unknown
 * container) with the same codes.
 */
export async function planVolumeRestore(docker: Docker, version: VersionSummary, request: VolumeRestoreRequest): Promise<VolumeRestorePlan> {
  const destination = checkVolumeName(request.targetVolume);
  sourceSelector(version, request.sourceVolume); // fail on a bad --volume before touching anything
  const stop = request.stopContainers ?? [];
  const exists = await volumeExists(docker, destination);
  const empty = exists ? await isVolumeEmpty(docker, destination) : true;
  if (!empty && !request.force && !request.merge) {
    throw destinationNotEmpty(
      `volume '${destination}' is not empty; use --keep-existing or --overwrite-existing to add the restored files to it, or --force to replace its contents`,
    );
  }
  if (exists) {
    const running = (await containersUsing(docker, destination)).filter((c) => c.running && !stop.includes(c.name));
    if (running.length) {
      const names = running.map((c) => c.name).join(',');
      throw usageError(`volume '${destination}' is in use by running container(s) ${names}; stop them first or pass --stop-containers=${names}`);
    }
  }
  const stops: string[] = [];
  for (const name of stop) if (await isRunning(docker, name)) stops.push(name);
  return { destination, action: !exists ? 'create' : empty ? 'fill' : request.merge ? 'merge' : 'replace', stops };
}

async function isRunning(docker: Docker, name: string): Promise<boolean> {
  try {
    return (await docker.getContainer(name).inspect()).State.Running;
  } catch (err) {
    if (dockerStatus(err) === 404) throw notFound(`container '${name}' does not exist`);
    throw new DvomError('ERROR', `cannot inspect container '${name}': ${dockerMessage(err)}`);
  }
}
