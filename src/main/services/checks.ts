import type Docker from 'dockerode';
import type { ProgressListener } from '../../shared/progress.ts';
import { checkVersionContent } from '../engine/ops/restore.ts';
import { verify, type VerifyReport } from '../engine/ops/verify.ts';
import type { Repository } from '../engine/repo/repository.ts';
import { recordVerification } from '../engine/repo/verification.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import { testRestore } from '../volumes/test-restore.ts';
import { hasRules, pathFilter, type PathRules } from '../engine/tree/path-filter.ts';

/**
 * The two ways to prove a backup (see the README's glossary): a test restore
 * of one version, and verifying a whole backup's stored data. Both record
 * what passed, so the UI can say when a version was last verified.
 */

export interface TestRestoreOutcome {
  files: number;
  bytes: number;
  durationMs: number;
}

interface Progress {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** A volume version is test-restored into a scratch Docker volume; a folder version is read and checked in memory. */
export function testRestoreNeedsDocker(version: VersionSummary): boolean {
  return version.sourceKind === 'volume';
}

/** Test-restores a version (every file's size and SHA-256 checked), then records that it passed. */
export async function testRestoreVersion(
  repo: Repository,
  version: VersionSummary,
  docker: Docker | undefined,
  options: Progress & { sourceVolume?: string; rules?: PathRules } = {},
): Promise<TestRestoreOutcome> {
  const { sourceVolume, rules, ...progress } = options;
  const selected = hasRules(rules) ? { rules: rules! } : {};
  const result = docker
    ? await testRestore(repo, docker, version, { ...progress, ...selected, ...(sourceVolume ? { sourceVolume } : {}) })
    : await checkVersionContent(repo, version, { ...progress, ...(hasRules(rules) ? { filter: pathFilter(rules!) } : {}) });
  // Only a whole version counts as verified; a test restore of a selection proves just that part.
  if (!hasRules(rules)) await recordVerification(repo, { versionId: version.id, method: 'test-restore', files: result.files, bytes: result.bytes });
  return result;
}

/**
 * Verifies a backup's stored data; with readData every byte is decrypted and
 * checked, and the versions it checked are recorded as verified (not one a
 * backup committed meanwhile, whose data this run may not have read).
 */
export async function verifyBackup(repo: Repository, options: Progress & { readData: boolean }): Promise<VerifyReport> {
  const report = await verify(repo, options);
  if (options.readData && !report.errors.length) {
    const checked = new Set(report.versionIds);
    for (const v of await repo.versions()) {
      if (!checked.has(v.id)) continue;
      await recordVerification(repo, { versionId: v.id, method: 'read-data', files: v.stats.files, bytes: v.stats.bytes });
    }
  }
  return report;
}
