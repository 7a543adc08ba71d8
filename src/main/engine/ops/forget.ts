import { DvomError } from '../errors.ts';
import type { Repository } from '../repo/repository.ts';
import { forgetVerification } from '../repo/verification.ts';
import { sameOrigin, type OpenedVersion, type ReadOrigin } from '../repo/version-file.ts';
import { pruneLocked, type PruneReport } from './prune.ts';
import { applyRetention, type RetentionDecision, type RetentionPolicy } from './retention.ts';
import { Holds } from './holds.ts';

export interface ForgetResult {
  decision: RetentionDecision<OpenedVersion>;
  /**
   * Append-only mode: versions the policy removes but the store still holds
   * (S3 Object Lock). They stay, listed and restorable, until `until`; a later
   * forget removes them.
   */
  held: { version: OpenedVersion; until: Date }[];
  pruned?: PruneReport;
}

/** Removes the versions a retention policy does not keep (and optionally prunes their data). */
export async function forget(
  repo: Repository,
  policy: RetentionPolicy,
  options: {
    prune?: boolean;
    dryRun?: boolean;
    /** The policy sees only versions with this origin; every other version stays (a schedule's own versions). */
    only?: ReadOrigin;
  } = {},
): Promise<ForgetResult> {
  return repo.locked('forget', true, async (lock) => {
    const all = await repo.versions();
    const only = options.only;
    const decision = applyRetention(only ? all.filter((v) => sameOrigin(v.origin, only)) : all, policy);
    const holds = new Holds(repo.backend.retention);
    const held: ForgetResult['held'] = [];
    for (const version of decision.remove) {
      const until = await holds.check(repo.layout.version(version.id));
      if (until) held.push({ version, until });
    }
    if (options.dryRun) return { decision, held };
    await lock.assertHeld();
    let removed = 0;
    for (const version of decision.remove) {
      if (held.some((h) => h.version === version)) continue; // never try to delete a held object
      await repo.backend.delete(repo.layout.version(version.id));
      await forgetVerification(repo, version.id);
      removed++;
    }
    const result: ForgetResult = { decision, held };
    // In append-only mode prune also renews the holds of data still in use: run it even when nothing went.
    if (options.prune && (removed || repo.backend.retention)) result.pruned = await pruneLocked(repo, lock);
    return result;
  });
}

/** Deletes one version and the data only it referenced. */
export async function deleteVersion(repo: Repository, versionRef: string): Promise<{ version: OpenedVersion; pruned: PruneReport }> {
  return repo.locked('delete', true, async (lock) => {
    const version = await repo.version(versionRef);
    const until = await repo.backend.retention?.heldUntil(repo.layout.version(version.id));
    if (until) {
      throw new DvomError(
        'RETAINED',
        `version ${version.id} of backup '${repo.name}' is held by S3 Object Lock until ${until.toISOString()} (append-only mode); nothing was deleted, try again after that date`,
      );
    }
    await lock.assertHeld();
    await repo.backend.delete(repo.layout.version(version.id));
    await forgetVerification(repo, version.id);
    return { version, pruned: await pruneLocked(repo, lock) };
  });
}
