import type Docker from 'dockerode';
import { DvomError } from '../engine/errors.ts';
import { planFolderRestore } from '../engine/ops/restore.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import type { ProgressListener } from '../../shared/progress.ts';
import type { PathRules } from '../engine/tree/path-filter.ts';
import { planVolumeRestore, type VolumeRestorePlan } from '../volumes/restore-plan.ts';
import { testRestoreVersion, type TestRestoreOutcome } from './checks.ts';

/**
 * A test restore that also says what restoring into a given destination
 * would do (`restore --dry-run --target-volume=V`): the destination is judged
 * exactly as the restore would judge it, then the version is test-restored.
 * Nothing is written to the destination.
 */

export type RestorePreviewDestination =
  | { kind: 'volume'; volume: string; stopContainers?: string[] }
  | { kind: 'folder'; dir: string };

export interface RestorePreview {
  /** create / fill (exists, empty) / replace (not empty, force given) / merge (not empty, keeping the rest). */
  action: VolumeRestorePlan['action'];
  /** Running containers the restore would stop and start again. */
  stops: string[];
  outcome: TestRestoreOutcome;
}

export async function previewRestore(
  repo: Repository,
  version: VersionSummary,
  docker: Docker | undefined,
  destination: RestorePreviewDestination,
  options: { force?: boolean; merge?: boolean; sourceVolume?: string; rules?: PathRules; signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<RestorePreview> {
  const { force, merge, ...rest } = options;
  let plan: Pick<VolumeRestorePlan, 'action' | 'stops'>;
  if (destination.kind === 'volume') {
    if (!docker) throw new DvomError('ERROR', 'a volume destination needs the Docker engine');
    plan = await planVolumeRestore(docker, version, {
      targetVolume: destination.volume,
      sourceVolume: options.sourceVolume,
      force,
      merge,
      stopContainers: destination.stopContainers,
    });
  } else {
    plan = { action: await planFolderRestore(destination.dir, force === true, merge === true), stops: [] };
  }
  const outcome = await testRestoreVersion(repo, version, docker, rest);
  return { ...plan, outcome };
}
