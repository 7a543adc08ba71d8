import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DvomError } from '../engine/errors.ts';
import { dockerMessage, dockerStatus } from './docker-client.ts';

/** Label on everything DVOM creates on an engine, so leftovers can be found and removed. */
export const HELPER_LABEL = 'io.dvom.helper';
export const TEMPORARY_VOLUME_LABEL = 'io.dvom.temporary';
const HELPER_IMAGE = 'dvom-helper:1';

/** Where helpers mount the volume they work on. */
export const MOUNT_POINT = '/volume';

/**
 * The helper image is imported from an empty tar: nothing is pulled, so it
 * works offline and on remote engines. Helpers are created, never started;
 * the archive API reads and writes their mounted volume.
 */
export async function ensureHelperImage(docker: Docker): Promise<string> {
  try {
    await docker.getImage(HELPER_IMAGE).inspect();
    return HELPER_IMAGE;
  } catch (err) {
    if (dockerStatus(err) !== 404) throw err;
  }
  const emptyTar = Readable.from([Buffer.alloc(1024)]);
  const [repo, tag] = HELPER_IMAGE.split(':');
  const options: Record<string, unknown> = { repo, tag, changes: [`LABEL ${HELPER_LABEL}=image`] };
  const progress = await docker.importImage(emptyTar as unknown as NodeJS.ReadableStream, options);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve()));
  });
  return HELPER_IMAGE;
}

export interface HelperOptions {
  readOnly: boolean;
  /** Mount the volume here instead of MOUNT_POINT. */
  mountPoint?: string;
}

export interface Helper {
  container: Docker.Container;
  remove(): Promise<void>;
}

/** Creates a never-started helper container with `volume` mounted. Call remove() when done. */
export async function createHelper(docker: Docker, volume: string, options: HelperOptions): Promise<Helper> {
  const image = await ensureHelperImage(docker);
  const mount = options.mountPoint ?? MOUNT_POINT;
  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      Image: image,
      Cmd: ['/dvom-helper-is-never-started'],
      Labels: { [HELPER_LABEL]: 'container' },
      NetworkDisabled: true,
      HostConfig: { Binds: [`${volume}:${mount}${options.readOnly ? ':ro' : ''}`], NetworkMode: 'none' },
    });
  } catch (err) {
    throw new DvomError('ERROR', `cannot create a helper container for volume '${volume}': ${dockerMessage(err)}`);
  }
  return { container, remove: () => removeHelper(container) };
}

/**
 * Removes a helper. Right after an archive stream was cut short (cancel,
 * failure) the engine may still be busy with the container for a moment, so
 * a refused removal is retried before giving up; `sweepLeftovers` catches the rest.
 */
async function removeHelper(container: Docker.Container): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      await container.remove({ force: true });
      return;
    } catch (err) {
      if (dockerStatus(err) === 404) return;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** Math.min(attempt, 4)));
    }
  }
}

/** Runs `fn` with a helper for `volume`, and always removes the helper. */
export async function withVolumeHelper<T>(
  docker: Docker,
  volume: string,
  options: HelperOptions,
  fn: (helper: Docker.Container) => Promise<T>,
): Promise<T> {
  const helper = await createHelper(docker, volume, options);
  try {
    return await fn(helper.container);
  } finally {
    await helper.remove();
  }
}

/** Removes helper containers and temporary volumes left by a process that was killed. */
export async function sweepLeftovers(docker: Docker, olderThanMs = 24 * 60 * 60 * 1000): Promise<void> {
  const cutoff = (Date.now() - olderThanMs) / 1000;
  const helpers = await docker.listContainers({ all: true, filters: { label: [HELPER_LABEL] } });
  for (const c of helpers) if (c.Created < cutoff) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  const { Volumes } = await docker.listVolumes({ filters: { label: [TEMPORARY_VOLUME_LABEL] } });
  for (const v of Volumes ?? []) {
    const created = Date.parse((v as { CreatedAt?: string }).CreatedAt ?? '') / 1000;
    if (created < cutoff) await docker.getVolume(v.Name).remove().catch(() => undefined);
  }
}
