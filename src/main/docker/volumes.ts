import type Docker from 'dockerode';
import { DvomError, notFound, usageError } from '../engine/errors.ts';
import { dockerMessage, dockerStatus } from './docker-client.ts';
import { HELPER_LABEL, TEMPORARY_VOLUME_LABEL } from './helper-container.ts';
import { PROJECT_LABEL, volumeProject } from './compose.ts';

export interface VolumeUser {
  id: string;
  name: string;
  running: boolean;
  image: string;
}

export interface VolumeDetails {
  name: string;
  driver: string;
  /** Bytes used, from the engine's disk-usage report; undefined when the engine does not know. */
  size?: number;
  createdAt?: string;
  labels: Record<string, string>;
  usedBy: VolumeUser[];
  /** The Compose project (stack) it belongs to, if any (see compose.ts). */
  stack?: string;
}

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function checkVolumeName(name: string): string {
  if (!VOLUME_NAME.test(name) || name.length > 255) {
    throw usageError(`invalid volume name '${name}': use letters, digits, '_', '.' or '-', starting with a letter or digit`);
  }
  return name;
}

function volumeUser(c: Docker.ContainerInfo): VolumeUser {
  return { id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), running: c.State === 'running', image: c.Image };
}

/** Containers (running or not) that mount a volume. */
export async function containersUsing(docker: Docker, volume: string): Promise<VolumeUser[]> {
  const list = await docker.listContainers({ all: true, filters: { volume: [volume] } });
  return list.filter((c) => !c.Labels?.[HELPER_LABEL]).map(volumeUser);
}

/**
 * Bytes used by each volume, from the engine's disk-usage report (empty when
 * the engine cannot compute it). Costly: the engine walks every volume it has.
 */
async function volumeSizes(docker: Docker): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  try {
    const df = (await docker.df()) as { Volumes?: { Name: string; UsageData?: { Size?: number } }[] };
    for (const v of df.Volumes ?? []) if (typeof v.UsageData?.Size === 'number' && v.UsageData.Size >= 0) sizes.set(v.Name, v.UsageData.Size);
  } catch {
    // Sizes are optional: some engines cannot compute them.
  }
  return sizes;
}

/** The bytes the named volumes use together; undefined when the engine does not know one of them. */
export async function totalSize(docker: Docker, volumes: string[]): Promise<{ bytes: number } | undefined> {
  const sizes = await volumeSizes(docker);
  let bytes = 0;
  for (const volume of volumes) {
    const size = sizes.get(volume);
    if (size === undefined) return undefined;
    bytes += size;
  }
  return { bytes };
}

/** Every volume with driver, size (may be unknown) and the containers using it. */
export async function listVolumes(docker: Docker): Promise<VolumeDetails[]> {
  const { Volumes } = await docker.listVolumes();
  const sizes = await volumeSizes(docker);
  const containers = await docker.listContainers({ all: true });
  const users = new Map<string, VolumeUser[]>();
  const projects = new Map<string, Set<string>>();
  for (const c of containers) {
    if (c.Labels?.[HELPER_LABEL]) continue;
    for (const m of c.Mounts ?? []) {
      if (m.Type !== 'volume' || !m.Name) continue;
      const list = users.get(m.Name) ?? [];
      list.push(volumeUser(c));
      users.set(m.Name, list);
      projects.set(m.Name, (projects.get(m.Name) ?? new Set<string>()).add(c.Labels?.[PROJECT_LABEL] ?? ''));
    }
  }
  return (Volumes ?? [])
    .filter((v) => !v.Labels?.[TEMPORARY_VOLUME_LABEL])
    .map((v) => {
      const stack = volumeProject({ labels: v.Labels ?? {} }, projects.get(v.Name));
      return {
        name: v.Name,
        driver: v.Driver,
        ...(sizes.has(v.Name) ? { size: sizes.get(v.Name)! } : {}),
        ...((v as { CreatedAt?: string }).CreatedAt ? { createdAt: (v as { CreatedAt?: string }).CreatedAt! } : {}),
        labels: v.Labels ?? {},
        usedBy: users.get(v.Name) ?? [],
        ...(stack ? { stack } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function volumeExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getVolume(name).inspect();
    return true;
  } catch (err) {
    if (dockerStatus(err) === 404) return false;
    throw new DvomError('ERROR', `cannot inspect volume '${name}': ${dockerMessage(err)}`);
  }
}

export async function requireVolume(docker: Docker, name: string): Promise<void> {
  if (!(await volumeExists(docker, name))) throw notFound(`volume '${name}' does not exist (see: dvom volumes)`);
}

export async function createVolume(docker: Docker, name: string, temporary = false, labels: Record<string, string> = {}): Promise<void> {
  try {
    await docker.createVolume({ Name: name, Labels: { ...labels, ...(temporary ? { [TEMPORARY_VOLUME_LABEL]: '1' } : {}) } });
  } catch (err) {
    throw new DvomError('ERROR', `cannot create volume '${name}': ${dockerMessage(err)}`);
  }
}

export async function removeVolume(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove();
  } catch (err) {
    if (dockerStatus(err) !== 404) throw new DvomError('ERROR', `cannot remove volume '${name}': ${dockerMessage(err)}`);
  }
}
