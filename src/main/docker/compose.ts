import type Docker from 'dockerode';
import { notFound, usageError } from '../engine/errors.ts';
import { HELPER_LABEL } from './helper-container.ts';

/**
 * Docker Compose stacks, read from the labels Compose puts on what it
 * creates: its project on volumes and containers, the service and the
 * services it depends on on containers. Nothing else about Compose is needed
 * (no compose file, no compose binary).
 */
export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const DEPENDS_ON_LABEL = 'com.docker.compose.depends_on';

const STACK_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** A Compose project name as Compose allows it (lower-case letters, digits, '_' and '-'). */
export function checkStackName(name: string): string {
  if (!STACK_NAME.test(name) || name.length > 255) throw usageError(`invalid stack name '${name}': a Compose project name (lower-case letters, digits, '_' or '-')`);
  return name;
}

export interface StackContainer {
  name: string;
  /** The Compose service; containers of one service (replicas) share it. */
  service: string;
  running: boolean;
  /** Services this one depends on (com.docker.compose.depends_on). */
  dependsOn: string[];
}

export interface Stack {
  name: string;
  volumes: string[];
  containers: StackContainer[];
}

/**
 * The services of a depends_on label: "db:service_started:false,cache:service_healthy:true"
 * (Compose v2), or plain "db,cache" (older releases).
 */
export function parseDependsOn(label: string | undefined): string[] {
  if (!label) return [];
  return [...new Set(label.split(',').map((part) => part.split(':')[0]!.trim()).filter(Boolean))];
}

/**
 * The order to start containers in: every service after those it depends
 * on, replicas and independent services by name. Stopping goes the other way
 * round. A dependency cycle (Compose refuses them, labels could still say so)
 * does not hang: what is left is taken by name.
 */
export function startOrder(containers: StackContainer[]): string[] {
  const services = new Map<string, StackContainer[]>();
  for (const c of containers) services.set(c.service, [...(services.get(c.service) ?? []), c]);
  const placed = new Set<string>();
  const order: string[] = [];
  const names = [...services.keys()].sort();
  while (placed.size < names.length) {
    const ready = names.filter((s) => !placed.has(s) && services.get(s)!.every((c) => c.dependsOn.every((d) => placed.has(d) || !services.has(d))));
    const next = ready.length ? ready : names.filter((s) => !placed.has(s)).slice(0, 1);
    for (const s of next) {
      placed.add(s);
      order.push(...services.get(s)!.map((c) => c.name).sort());
    }
  }
  return order;
}

function containerName(c: Docker.ContainerInfo): string {
  return (c.Names[0] ?? c.Id).replace(/^\//, '');
}

/**
 * Groups volumes and containers into stacks. A volume belongs to the project
 * on its label; a volume without one (an external volume) belongs to the
 * project of the containers mounting it when they are all of one project.
 * Volumes of no project are in no stack.
 */
export function groupStacks(volumes: { name: string; labels: Record<string, string> }[], containers: Docker.ContainerInfo[]): Stack[] {
  const stacks = new Map<string, Stack>();
  const stack = (name: string) => {
    let s = stacks.get(name);
    if (!s) stacks.set(name, (s = { name, volumes: [], containers: [] }));
    return s;
  };
  const projectsUsing = new Map<string, Set<string>>();
  for (const c of containers) {
    if (c.Labels?.[HELPER_LABEL]) continue;
    const project = c.Labels?.[PROJECT_LABEL];
    for (const m of c.Mounts ?? []) {
      if (m.Type !== 'volume' || !m.Name) continue;
      const set = projectsUsing.get(m.Name) ?? new Set<string>();
      set.add(project ?? '');
      projectsUsing.set(m.Name, set);
    }
    if (!project) continue;
    stack(project).containers.push({
      name: containerName(c),
      service: c.Labels[SERVICE_LABEL] ?? containerName(c),
      running: c.State === 'running',
      dependsOn: parseDependsOn(c.Labels[DEPENDS_ON_LABEL]),
    });
  }
  for (const v of volumes) {
    const project = volumeProject(v, projectsUsing.get(v.name));
    if (project) stack(project).volumes.push(v.name);
  }
  for (const s of stacks.values()) {
    s.volumes.sort();
    s.containers.sort((a, b) => a.name.localeCompare(b.name));
  }
  return [...stacks.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The project of a volume: its own label, else that of all its users when they agree. */
export function volumeProject(volume: { labels: Record<string, string> }, usersProjects: Set<string> | undefined): string | undefined {
  const own = volume.labels[PROJECT_LABEL];
  if (own) return own;
  if (usersProjects?.size === 1) return [...usersProjects][0] || undefined;
  return undefined;
}

/** Every stack on the engine. */
export async function listStacks(docker: Docker): Promise<Stack[]> {
  const [{ Volumes }, containers] = await Promise.all([docker.listVolumes(), docker.listContainers({ all: true })]);
  return groupStacks((Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} })), containers);
}

/** One stack; NOT_FOUND when the engine has no volume or container of that project. */
export async function findStack(docker: Docker, name: string): Promise<Stack> {
  checkStackName(name);
  const found = (await listStacks(docker)).find((s) => s.name === name);
  if (!found) throw notFound(`no Compose stack '${name}' on this engine (no volume or container has the label ${PROJECT_LABEL}=${name}; see: dvom volumes)`);
  return found;
}

/** The stack's running containers in the order to stop them: those depending on others first. */
export function stackStopOrder(stack: Stack): string[] {
  return startOrder(stack.containers.filter((c) => c.running)).reverse();
}
