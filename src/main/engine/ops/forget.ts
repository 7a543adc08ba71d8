import type { Repository } from '../repo/repository.ts';
import { forgetVerification } from '../repo/verification.ts';
import type { VersionSummary } from '../repo/version-file.ts';
import { pruneLocked, type PruneReport } from './prune.ts';
import { applyRetention, type RetentionDecision, type RetentionPolicy } from './retention.ts';

export interface ForgetResult {
  decision: RetentionDecision<VersionSummary>;
  pruned?: PruneReport;
}

/** Removes the versions a retention policy does not keep (and optionally prunes their data). */
export async function forget(
  repo: Repository,
  policy: RetentionPolicy,
  options: { prune?: boolean; dryRun?: boolean } = {},
): Promise<ForgetResult> {
  return repo.locked('forget', true, async (lock) => {
    const decision = applyRetention(await repo.versions(), policy);
    if (options.dryRun) return { decision };
    await lock.assertHeld();
    for (const version of decision.remove) {
      await repo.backend.delete(repo.layout.version(version.id));
      await forgetVerification(repo, version.id);
    }
    const result: ForgetResult = { decision };
    if (options.prune && decision.remove.length) result.pruned = await pruneLocked(repo, lock);
    return result;
  });
}

/** Deletes one version and the data only it referenced. */
export async function deleteVersion(repo: Repository, versionRef: string): Promise<{ version: VersionSummary; pruned: PruneReport }> {
  return repo.locked('delete', true, async (lock) => {
    const version = await repo.version(versionRef);
    await lock.assertHeld();
    await repo.backend.delete(repo.layout.version(version.id));
    await forgetVerification(repo, version.id);
    return { version, pruned: await pruneLocked(repo, lock) };
  });
}
