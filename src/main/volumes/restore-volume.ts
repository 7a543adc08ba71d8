import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { ProgressListener } from '../../shared/progress.ts';
import { DvomError } from '../engine/errors.ts';
import { restoreToTar, type RestoreCounts } from '../engine/ops/restore.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import { withStoppedContainers } from '../docker/stopped-containers.ts';
import { clearVolume, copyVolume, intoVolumeArchive, writeVolume } from '../docker/volume-archive.ts';
import type { TreeEntry } from '../engine/tree/tree-entry.ts';
import { hasRules, pathFilter, type EntryFilter, type PathRules } from '../engine/tree/path-filter.ts';
import { createVolume, removeVolume } from '../docker/volumes.ts';
import { planVolumeRestore } from './restore-plan.ts';
import { selectPaths, sourceSelector } from './volume-paths.ts';
import { phaseSteps } from './phase-steps.ts';
import { mergeIntoVolume } from './merge-volume.ts';
import type { MergeCounts, OnExisting } from '../engine/restore/written-files.ts';

export interface VolumeRestoreOptions {
  /** The restore destination. (Still named targetVolume here because bench/worker.ts, owned elsewhere, passes it; rename both together.) */
  targetVolume: string;
  /** Which volume of a multi-volume version (default: the only one). */
  sourceVolume?: string;
  /** Restore only these files and folders (relative to the volume); default: everything. */
  paths?: string[];
  /** --include / --exclude patterns, relative to the volume (see engine/tree/path-filter.ts). */
  rules?: PathRules;
  /** Replace a non-empty destination's contents. */
  force?: boolean;
  /**
   * Into a non-empty destination: write the restored files and keep everything
   * else, skipping or overwriting what exists at their paths (instead of force).
   */
  merge?: OnExisting;
  stopContainers?: string[];
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** How long the stopped containers were down, once they run again. */
  onContainersDown?: (ms: number) => void;
}

export interface VolumeRestoreResult {
  volume: string;
  created: boolean;
  replaced: boolean;
  /** Files and content bytes restored (of the selection, if paths were given). */
  files: number;
  bytes: number;
  /** With merge, into a volume that held data: what was written, overwritten and skipped. */
  merged?: MergeCounts;
}

/** Writes (the selected part of) a version into a volume; content is verified as it streams. */
export async function writeVersionToVolume(
  repo: Repository,
  docker: Docker,
  version: VersionSummary,
  volume: string,
  options: {
    sourceVolume?: string | undefined;
    paths?: string[] | undefined;
    rules?: PathRules | undefined;
    onProgress?: ProgressListener | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<RestoreCounts> {
  const source = sourceSelector(version, options.sourceVolume).select;
  const select = options.paths?.length ? selectPaths(source, options.paths) : source;
  // Patterns see paths relative to the volume, so the move into the archive's layout comes after them.
  const filter = hasRules(options.rules) ? intoArchiveAfter(pathFilter(options.rules!)) : undefined;
  const toArchive = (entry: TreeEntry): TreeEntry | undefined => {
    const picked = select ? select(entry) : entry;
    return picked && (filter ? picked : intoVolumeArchive(picked));
  };
  let counts: RestoreCounts = { files: 0, bytes: 0 };
  await writeVolume(docker, volume, async (out) => {
    counts = await restoreToTar(repo, version, out, {
      select: toArchive,
      ...(filter ? { filter } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  });
  return counts;
}

/**
 * Restores a version into a volume. A missing destination is created; a non-empty
 * one is refused without `force` or `merge`. With `merge`, the version is first
 * restored and verified into a temporary volume, then its files are written
 * into the destination, which keeps everything else (see mergeIntoVolume). With `force`, the version is first restored
 * and verified into a temporary volume, and the destination is replaced only after
 * that succeeded: a wrong password, a corrupt chunk or a cancel leaves it untouched.
 */
export async function restoreVolume(
  repo: Repository,
  docker: Docker,
  version: VersionSummary,
  options: VolumeRestoreOptions,
): Promise<VolumeRestoreResult> {
  const log = options.log ?? (() => undefined);
  const stop = options.stopContainers ?? [];
  const steps = phaseSteps(options.onProgress);
  // Whether the destination exists, is empty and is in use: helper containers, seconds on a busy engine.
  steps.step('checking', options.targetVolume);
  const { destination, action } = await planVolumeRestore(docker, version, { ...options, merge: options.merge !== undefined });
  const exists = action !== 'create';
  const empty = action === 'fill';
  const write = (volume: string) =>
    writeVersionToVolume(repo, docker, version, volume, {
      sourceVolume: options.sourceVolume,
      paths: options.paths,
      rules: options.rules,
      onProgress: steps.onProgress,
      signal: options.signal,
    });
  const result = await withStoppedContainers(
    docker,
    stop,
    async () => {
      if (!exists) {
        await createVolume(docker, destination);
        try {
          return { volume: destination, created: true, replaced: false, ...(await write(destination)) };
        } catch (err) {
          // The restore's error is what the user needs; a cleanup that fails too (the engine is gone) must not replace it.
          await removeVolume(docker, destination).catch(() => undefined);
          throw err;
        }
      }
      if (empty) {
        try {
          return { volume: destination, created: false, replaced: false, ...(await write(destination)) };
        } catch (err) {
          await clearVolume(docker, destination).catch(() => undefined);
          throw err;
        }
      }
      const staging = `dvom-restore-${randomBytes(4).toString('hex')}`;
      await createVolume(docker, staging, true);
      let counts: RestoreCounts;
      try {
        counts = await write(staging);
      } catch (err) {
        await removeVolume(docker, staging).catch(() => undefined); // labelled temporary: swept later if this fails
        throw err;
      }
      if (action === 'merge') {
        // Verified in the staging volume; only now is the destination written, file by file.
        steps.step('writing', destination);
        try {
          const merged = await mergeIntoVolume(docker, staging, destination, {
            onExisting: options.merge!,
            roots: (options.paths ?? []).map((p) => p.replace(/^\/+|\/+$/g, '')),
            signal: options.signal,
            onProgress: steps.onProgress,
            totals: counts,
          });
          return { volume: destination, created: false, replaced: false, ...counts, merged };
        } finally {
          await removeVolume(docker, staging).catch(() => undefined);
        }
      }
      // Only now, with the whole version verified in the staging volume, is the destination touched.
      steps.step('replacing', destination);
      try {
        await clearVolume(docker, destination);
        await copyVolume(docker, staging, destination);
      } catch (err) {
        throw new DvomError(
          'ERROR',
          `${(err as Error).message}; the verified restore is kept in volume '${staging}' (copy it into '${destination}', then remove it)`,
        );
      }
      await removeVolume(docker, staging);
      return { volume: destination, created: false, replaced: true, ...counts };
    },
    { log, onStep: (step, container) => steps.step(step, container), onDowntime: options.onContainersDown },
  );
  steps.finished();
  return result;
}

/** A filter whose output is moved into the volume archive's layout (see intoVolumeArchive). */
function intoArchiveAfter(filter: EntryFilter): EntryFilter {
  return async function* (entries) {
    for await (const e of filter(entries)) yield intoVolumeArchive(e);
  };
}
