import type Docker from 'dockerode';
import { readConfig } from '../config/config-file.ts';
import { openStore, selectedTargetName, type StoreSelection } from '../config/open-store.ts';
import type { DvomConfig } from '../config/config-schema.ts';
import { connectDocker } from '../docker/docker-client.ts';
import { resolveEngine, type DockerEndpoint } from '../docker/docker-context.ts';
import { sweepLeftovers } from '../docker/helper-container.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { Scheduler, type SchedulerOptions } from '../scheduler/scheduler.ts';
import { EventHub } from '../services/event-hub.ts';
import { JobHistoryFile } from '../services/job-history.ts';
import { JobManager } from '../services/job-manager.ts';

export interface DvomAppOptions {
  secrets: SecretStore;
  /** The store chosen on the command line (`dvom serve --target=…`); else the config's default. */
  storeSelection?: StoreSelection;
  /** Messages for the host's log (never secrets). */
  log?: (message: string) => void;
  /** The scheduler's clock, runner or state file (tests); it runs only once started. */
  scheduler?: SchedulerOptions;
  /** The Docker context chosen at start (`dvom serve --context=…`); else the environment's, then the config's. */
  dockerContext?: string;
  /** Where finished jobs are kept across restarts: default job-history.json next to the config; false keeps them in memory only. */
  jobHistory?: string | false;
}

/**
 * The engine as a long-lived service for one host process (Electron main or
 * `dvom serve`): the config, the store, the Docker connection, the keychain,
 * jobs and events. Transports talk to it only through the Dispatcher.
 */
export class DvomApp {
  readonly events = new EventHub();
  readonly jobs: JobManager;
  readonly secrets: SecretStore;
  readonly log: (message: string) => void;
  /** Scheduled backups; the host starts it (dvom serve, Electron main). */
  readonly scheduler: Scheduler;
  private readonly selection: StoreSelection;
  private dockerConnection: Promise<Docker> | undefined;
  /** The engine dockerConnection talks to ('name host'), to notice when the choice changed. */
  private connectedTo: string | undefined;
  /** Picked for this process (serve --context, or engines.select): outranks DOCKER_HOST, as --context does. */
  private explicitEngine: string | undefined;

  constructor(options: DvomAppOptions) {
    this.secrets = options.secrets;
    this.selection = options.storeSelection ?? {};
    this.explicitEngine = options.dockerContext;
    this.log = options.log ?? (() => undefined);
    this.jobs = new JobManager(this.events, options.jobHistory === false ? undefined : new JobHistoryFile(options.jobHistory, this.log));
    this.scheduler = new Scheduler(this, options.scheduler);
  }

  /** Read per request, so changes made by the CLI or in settings apply at once. */
  config(): Promise<DvomConfig> {
    return readConfig();
  }

  /** The store of a named target, else the one chosen at start, else the config's default. */
  async store(target?: string): Promise<StorageBackend> {
    return openStore(target ? { target } : this.selection, await this.config(), this.secrets);
  }

  /** The name of the target `store(target)` opens; undefined for an unnamed store (a folder, the per-user store). */
  async targetName(target?: string): Promise<string | undefined> {
    return target ?? selectedTargetName(this.selection, await this.config());
  }

  /** The engine in use now: resolved per call, so a context picked by the CLI or in settings applies at once. */
  async engine(): Promise<DockerEndpoint> {
    return resolveEngine({ explicit: this.explicitEngine, remembered: (await this.config()).docker.context });
  }

  /** Uses `name` for this process from now on (the caller remembers it in the config). */
  useEngine(name: string): void {
    this.explicitEngine = name;
  }

  /** A connection to the engine in use, re-established when it was lost or another engine was chosen. */
  async docker(): Promise<Docker> {
    const endpoint = await this.engine();
    const key = `${endpoint.name} ${endpoint.host}`;
    if (this.dockerConnection && this.connectedTo === key) {
      const docker = await this.dockerConnection.catch(() => undefined);
      if (docker && (await docker.ping().then(() => true, () => false))) return docker;
    }
    this.dockerConnection = undefined;
    const connecting = connectDocker(endpoint).then(async (docker) => {
      await sweepLeftovers(docker).catch(() => undefined);
      return docker;
    });
    this.dockerConnection = connecting;
    this.connectedTo = key;
    connecting.catch(() => {
      if (this.dockerConnection === connecting) this.dockerConnection = undefined;
    });
    return connecting;
  }

  /** Stops the scheduler, cancels running jobs and waits for their cleanup (helpers, temporary volumes, stopped containers). */
  async shutdown(): Promise<void> {
    await this.scheduler.stop();
    await this.jobs.shutdown();
    await this.scheduler.idle();
  }
}
