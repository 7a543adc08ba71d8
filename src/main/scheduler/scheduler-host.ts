import type Docker from 'dockerode';
import type { DvomConfig } from '../config/config-schema.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { EventHub } from '../services/event-hub.ts';
import type { JobManager } from '../services/job-manager.ts';

/** What the scheduler uses of its host process (DvomApp provides it; the scheduler never imports the app). */
export interface SchedulerHost {
  config(): Promise<DvomConfig>;
  store(target?: string): Promise<StorageBackend>;
  docker(): Promise<Docker>;
  readonly secrets: SecretStore;
  readonly jobs: Pick<JobManager, 'start' | 'wait'>;
  readonly events: EventHub;
  readonly log: (message: string) => void;
}
