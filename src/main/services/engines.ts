import { updateConfig } from '../config/config-file.ts';
import { connectDocker } from '../docker/docker-client.ts';
import { engineEndpoint, listEngines, type EngineListing } from '../docker/docker-context.ts';

/** Docker engines, for the app's engine switcher (and anything else that lists or picks one). */

export interface EngineChoiceListing extends EngineListing {
  current: boolean;
}

/** Every engine the docker CLI knows of, the one in use marked. */
export function enginesWithCurrent(current: { name: string }): EngineChoiceListing[] {
  return listEngines().map((e) => ({ ...e, current: e.name === current.name }));
}

/**
 * Switches to engine `name` once it answers (an unknown context is NOT_FOUND,
 * an engine that does not answer DOCKER_UNAVAILABLE, and nothing changes),
 * and remembers it in the config for the next start and for the CLI.
 */
export async function selectEngine(name: string): Promise<void> {
  const endpoint = engineEndpoint(name, 'flag');
  await connectDocker(endpoint);
  await updateConfig((config) => {
    config.docker.context = name;
  });
}
