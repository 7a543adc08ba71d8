import * as fs from 'node:fs/promises';
import type Docker from 'dockerode';
import { DvomError } from '../engine/errors.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import type { ProgressListener } from '../../shared/progress.ts';
import type { PathRules } from '../engine/tree/path-filter.ts';
import { destinationNotEmpty } from '../platform/detailed-error.ts';
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
  /** create / fill (exists, empty) / replace (not empty, force given). */
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
  options: { force?: boolean; sourceVolume?: string; rules?: PathRules; signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<RestorePreview> {
  const { force, ...rest } = options;
  let plan: Pick<VolumeRestorePlan, 'action' | 'stops'>;
  if (destination.kind === 'volume') {
    if (!docker) throw new DvomError('ERROR', 'a volume destination needs the Docker engine');
    plan = await planVolumeRestore(docker, version, {
      targetVolume: destination.volume,
      sourceVolume: options.sourceVolume,
      force,
      stopContainers: destination.stopContainers,
    });
  } else {
    plan = { action: await planFolder(destination.dir, force === true), stops: [] };
  }
  const outcome = await testRestoreVersion(repo, version, docker, rest);
  return { ...plan, outcome };
}

/** The folder restore's own rule (engine/ops/restore.ts): a non-empty folder needs force. */
async function planFolder(dir: string, force: boolean): Promise<VolumeRestorePlan['action']> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'create';
    if (code === 'ENOTDIR') throw new DvomError('USAGE', `target '${dir}' exists and is not a folder`);
    throw err;
  }
  if (!names.length) return 'fill';
  if (!force) throw destinationNotEmpty(`target folder '${dir}' is not empty; use --force to replace its contents`);
  return 'replace';
}
