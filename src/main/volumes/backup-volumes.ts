import type Docker from 'dockerode';
import type { ProgressListener } from '../../shared/progress.ts';
import { backup, type BackupOptions } from '../engine/ops/backup.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { OpenedVersion, VersionOrigin } from '../engine/repo/version-file.ts';
import type { SourceEntry } from '../engine/tree/tree-entry.ts';
import { readVolume } from '../docker/volume-archive.ts';
import { daemonClockMs } from '../docker/daemon-clock.ts';
import { engineOf } from '../docker/docker-client.ts';
import { withStoppedContainers } from '../docker/stopped-containers.ts';
import { hooksForVolumes, withBackupHooks } from '../docker/backup-hooks.ts';
import { checkVolumeName, containersUsing, requireVolume, totalSize } from '../docker/volumes.ts';
import { usageError } from '../engine/errors.ts';
import { underVolume } from './volume-paths.ts';
import { excludeSourceEntries } from '../engine/tree/path-filter.ts';
import { phaseSteps } from './phase-steps.ts';

export interface VolumeBackupOptions {
  volumes: string[];
  /** Containers to stop while reading; restarted afterwards if they were running. */
  stopContainers?: string[];
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** Messages for the user (warnings, containers stopped/started). */
  log?: (message: string) => void;
  /** Read every file, trusting nothing from the previous version (--force-read). */
  forceRead?: boolean;
  /** --exclude patterns, relative to each volume's root; recorded in the version. */
  exclude?: string[];
  /** How long the stopped containers were down, once they run again. */
  onContainersDown?: (ms: number) => void;
  /** false: the containers' backup hooks already ran around this backup (a stack's one backup per volume). */
  hooks?: boolean;
  /** What started this backup, recorded in the version. */
  origin?: VersionOrigin;
}

async function* allVolumes(
  docker: Docker,
  volumes: string[],
  exclude: string[],
  log: (message: string) => void,
  signal?: AbortSignal,
): AsyncGenerator<SourceEntry> {
  for (const volume of volumes) {
    const entries = readVolume(docker, volume, { signal, lentBodies: true });
    const warn = (m: string) => log(`Warning: volume '${volume}': ${m}`);
    yield* underVolume(volume, exclude.length ? excludeSourceEntries(entries, exclude, warn) : entries);
  }
}

/**
 * Backs up one or more Docker volumes as a new version. The pre-backup hooks
 * of running containers that use them run first, then the containers to stop
 * are stopped (in the order given) and, after the read, started again (in
 * the reverse order), then the post-backup hooks run.
 */
export async function backupVolumes(repo: Repository, docker: Docker, options: VolumeBackupOptions): Promise<OpenedVersion> {
  const volumes = options.volumes.map(checkVolumeName);
  if (!volumes.length) throw usageError('at least one --volume=NAME is needed');
  if (new Set(volumes).size !== volumes.length) throw usageError('a volume is named twice');
  const steps = phaseSteps(options.onProgress);
  steps.step('checking', volumes.join(', '));
  for (const volume of volumes) await requireVolume(docker, volume);
  const stop = options.stopContainers ?? [];
  const log = options.log ?? (() => undefined);
  for (const volume of volumes) {
    const running = (await containersUsing(docker, volume)).filter((c) => c.running && !stop.includes(c.name));
    if (running.length) {
      log(
        `Warning: volume '${volume}' is in use by running container(s) ${running.map((c) => c.name).join(', ')}; ` +
          `the copy may be inconsistent (use --stop-containers=${running.map((c) => c.name).join(',')} for a consistent copy)`,
      );
    }
  }
  // Sizing makes the engine walk every volume it has, so only when someone watches: with containers to
  // stop, now, before they stop (their downtime must not include it); else for a first backup only (backup.ts totals()).
  let sizing: Pick<BackupOptions, 'bytesTotal' | 'countSource'> = {};
  if (options.onProgress && stop.length) {
    const size = await totalSize(docker, volumes);
    if (size) sizing = { bytesTotal: size.bytes };
  } else if (options.onProgress) {
    sizing = { countSource: () => totalSize(docker, volumes) };
  }
  const engine = engineOf(docker);
  // Read (and malformed labels refused) before anything runs; the hooks run while their containers still do.
  const hooks = options.hooks === false ? [] : await hooksForVolumes(docker, volumes);
  const version = await withBackupHooks(docker, hooks, () => withStoppedContainers(
    docker,
    stop,
    async () =>
      backup(repo, allVolumes(docker, volumes, options.exclude ?? [], log, options.signal), {
        sourceKind: 'volume',
        volumes,
        ...(options.exclude?.length ? { exclusions: options.exclude } : {}),
        sourceClockMs: await daemonClockMs(docker),
        ...(engine ? { engine } : {}),
        ...(options.forceRead ? { forceRead: true } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
        ...sizing,
        onProgress: steps.onProgress,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    { log, onStep: (step, container) => steps.step(step, container), onDowntime: options.onContainersDown },
  ), { log, signal: options.signal });
  steps.finished();
  return version;
}
