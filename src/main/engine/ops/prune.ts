import type { ProgressListener } from '../../../shared/progress.ts';
import { ProgressMeter } from '../archive/progress-meter.ts';
import { integrityError, isDvomError } from '../errors.ts';
import { BlobIndex } from '../repo/blob-index.ts';
import { idFromKey } from '../repo/layout.ts';
import { lockTimeoutMs, type RepoLock } from '../repo/lock.ts';
import type { Repository } from '../repo/repository.ts';
import type { VersionSummary } from '../repo/version-file.ts';
import { readTree, readTreeRoot } from '../tree/tree-io.ts';
import { Holds } from './holds.ts';
import { renewHolds } from './renew-holds.ts';
import { tamperedObjects } from './recover.ts';

export interface PruneReport {
  packsDeleted: number;
  packsRepacked: number;
  bytesFreed: number;
  blobsRemoved: number;
  /** Packs no index names that are younger than the lock timeout: a writer whose lock was lost may still need them. */
  packsSpared: number;
  /**
   * Append-only mode: unused packs and old index files the store still holds
   * (S3 Object Lock), left for a later prune, and the date the last of them
   * is held until.
   */
  packsHeld: number;
  indexFilesHeld: number;
  heldUntil?: Date;
  /** Append-only mode: objects still in use held again for the full period (see renewHolds). */
  holdsRenewed: number;
}

export interface PruneOptions {
  onProgress?: ProgressListener;
  /**
   * Packs no index names are deleted only once this old (by the store's clock).
   * Defaults to the lock timeout: a backup uploads packs before its index, and
   * one whose lock another host took for stale may still be running.
   */
  unindexedGraceMs?: number;
}

/** Repack a partly used pack only when at least this share of it is unused. */
const REPACK_THRESHOLD = 0.2;
/** Leftovers of interrupted writes younger than this may belong to a live writer on another host. */
const INCOMPLETE_AGE_MS = 60 * 60 * 1000;

/**
 * Every blob the versions use. A blob missing from the index (a lost index
 * object, a listing that lags) means prune cannot tell live packs from dead
 * ones: it refuses (INTEGRITY), as restic does, before deleting anything.
 */
async function usedBlobs(repo: Repository, index: BlobIndex): Promise<Set<string>> {
  const reader = repo.blobReader(index);
  const used = new Set<string>();
  let missing = 0;
  let firstMissing: VersionSummary | undefined;
  const need = (ids: Iterable<string>, version: VersionSummary): boolean => {
    let all = true;
    for (const id of ids) {
      used.add(id);
      if (index.has(id)) continue;
      all = false;
      missing++;
      firstMissing ??= version;
    }
    return all;
  };
  for (const version of await repo.versions()) {
    if (!need([version.root], version)) continue;
    try {
      const root = await readTreeRoot(reader, version.root);
      if (!need(root.tree, version)) continue;
      for await (const entry of readTree(reader, root)) need(entry.chunks ?? [], version);
    } catch (err) {
      if (isDvomError(err, 'INTEGRITY')) throw refusal(repo, `version ${version.id} cannot be read (${err.message})`, err);
      throw err;
    }
  }
  if (firstMissing) throw refusal(repo, `${missing} blob(s) that version ${firstMissing.id}${missing > 1 ? ' and others' : ''} use are missing from the index`);
  return used;
}

function refusal(repo: Repository, what: string, cause?: unknown) {
  return integrityError(
    `${what}; prune deleted nothing: it cannot tell which packs of backup '${repo.name}' are still in use ` +
      `(an index object may be lost; run 'dvom verify ${repo.name}')`,
    cause,
  );
}

/** What a prune would do, worked out before it changes anything: shared by prune and its estimate. */
interface PrunePlan {
  index: BlobIndex;
  files: string[];
  /** The packs that stay, with the blobs the new index names in them. */
  kept: BlobIndex;
  /** Packs dropped for holding (mostly) unused blobs. */
  drop: Set<string>;
  /** Live blobs of dropped packs, copied into new packs first. */
  repack: [string, 'data' | 'meta'][];
  /** Old index files the store still holds (they stay, and so must every pack they name). */
  heldIndexFiles: Set<string>;
  /** The pack objects prune deletes, with their stored sizes; `counted`: reported as a deleted pack (dropped or unindexed). */
  deletions: { key: string; id: string; size: number; counted: boolean }[];
  packsRepacked: number;
  packsSpared: number;
  blobsRemoved: number;
  packHolds: Holds;
  indexHolds: Holds;
}

/** What prune would free, without changing anything (the app's "Reclaim space" shows it before asking). */
export interface PruneEstimate {
  /** Bytes of the pack objects prune would delete (as PruneReport.bytesFreed counts them). */
  bytesToFree: number;
  packsToDelete: number;
  packsToRepack: number;
  blobsToRemove: number;
  /** Unindexed packs too young to delete yet (see PruneReport.packsSpared). */
  packsSpared: number;
}

async function planPrune(repo: Repository, lock: RepoLock, graceMs: number): Promise<PrunePlan> {
  if (repo.backend.retention) {
    const tampered = await tamperedObjects(repo.backend.retention, repo.layout);
    if (tampered.length) {
      throw integrityError(
        `${tampered.length} object(s) of backup '${repo.name}' were hidden or replaced (${tampered.slice(0, 3).join(', ')}${tampered.length > 3 ? ', …' : ''}); ` +
          `prune deleted nothing: put them back first with 'dvom recover ${repo.name}'`,
      );
    }
  }
  const { index, files } = await repo.loadIndex();
  const used = await usedBlobs(repo, index);
  const plan: PrunePlan = {
    index, files, kept: new BlobIndex(), drop: new Set(), repack: [], heldIndexFiles: new Set(), deletions: [],
    packsRepacked: 0, packsSpared: 0, blobsRemoved: 0,
    packHolds: new Holds(repo.backend.retention), indexHolds: new Holds(repo.backend.retention),
  };
  for (const [packId, blobs] of index.byPack()) {
    const pack = index.packs.get(packId)!;
    const live = blobs.filter(([id]) => used.has(id));
    const deadBytes = blobs.filter(([id]) => !used.has(id)).reduce((s, [, b]) => s + b.length, 0);
    plan.blobsRemoved += blobs.length - live.length;
    // A pack no index entry points at (every blob in it has an earlier copy) holds nothing in use: dropped.
    if (live.length && (live.length === blobs.length || deadBytes < pack.length * REPACK_THRESHOLD)) {
      plan.kept.addPack(pack, live.length === blobs.length ? blobs : live);
      continue;
    }
    // A held pack cannot be freed yet: copying its live blobs would only add a second copy (at every prune).
    if (live.length && (await repo.backend.retention?.heldUntil(repo.layout.pack(packId)))) {
      plan.kept.addPack(pack, live);
      continue;
    }
    plan.drop.add(packId);
    for (const [id, loc] of live) plan.repack.push([id, loc.type]);
    if (live.length) plan.packsRepacked++;
  }
  // An old index file the store still holds stays readable, so every pack it names must stay too.
  const namedByHeld = new Set<string>();
  for (const file of files) {
    if (!(await plan.indexHolds.check(file))) continue;
    plan.heldIndexFiles.add(file);
    for (const id of await repo.indexFilePacks(file)) namedByHeld.add(id);
  }
  // Ages are taken by the store's clock (our lock's time there), not this host's.
  const storeNow = (await repo.backend.stat(repo.layout.lock(lock.id)))?.modified.getTime() ?? Date.now();
  for await (const obj of repo.backend.list(repo.layout.packsPrefix)) {
    const id = idFromKey(obj.key);
    if (plan.kept.packs.has(id)) continue;
    if (namedByHeld.has(id)) {
      plan.packHolds.count++;
      continue;
    }
    const unindexed = !index.packs.has(id);
    if (unindexed && storeNow - obj.modified.getTime() < graceMs) {
      plan.packsSpared++;
      continue;
    }
    if (await plan.packHolds.check(obj.key)) continue;
    plan.deletions.push({ key: obj.key, id, size: obj.size, counted: plan.drop.has(id) || unindexed });
  }
  return plan;
}

/** Removes data no version references. Caller must hold the exclusive lock and pass it. */
export async function pruneLocked(repo: Repository, lock: RepoLock, options: PruneOptions = {}): Promise<PruneReport> {
  const meter = new ProgressMeter(options.onProgress, 'pruning');
  const plan = await planPrune(repo, lock, options.unindexedGraceMs ?? lockTimeoutMs());
  const { kept, packHolds, indexHolds } = plan;
  const report: PruneReport = {
    packsDeleted: 0, packsRepacked: plan.packsRepacked, bytesFreed: 0, blobsRemoved: plan.blobsRemoved, packsSpared: plan.packsSpared,
    packsHeld: 0, indexFilesHeld: 0, holdsRenewed: 0,
  };
  const reader = repo.blobReader(plan.index);
  const writer = repo.blobWriter(kept);
  try {
    for (const [id, type] of plan.repack) {
      lock.throwIfLost();
      await writer.add(type, await reader.read(id));
    }
    await writer.flush();
  } catch (err) {
    await writer.abort(err); // ends the pack being written, so no put is left waiting
    throw err;
  }
  // From here on prune deletes: only while the lock is still ours.
  await lock.assertHeld();
  // New index first, then old index files, then data: a crash at any step leaves every version readable.
  const allPacks = [...kept.byPack()].map(([id, blobs]) => ({ info: kept.packs.get(id)!, blobs }));
  await repo.writeIndex(allPacks);
  for (const file of plan.files) if (!plan.heldIndexFiles.has(file)) await repo.backend.delete(file);
  for (const pack of plan.deletions) {
    lock.throwIfLost();
    await repo.backend.delete(pack.key);
    report.bytesFreed += pack.size;
    if (pack.counted) report.packsDeleted++;
    meter.update({ bytesDone: report.bytesFreed });
  }
  await repo.backend.sweepIncomplete?.(repo.layout.root, INCOMPLETE_AGE_MS);
  report.holdsRenewed = (await renewHolds(repo, kept.packs.keys(), () => lock.throwIfLost())).renewed;
  report.packsHeld = packHolds.count;
  report.indexFilesHeld = indexHolds.count;
  const until = [packHolds.until, indexHolds.until].filter((d) => d !== undefined).sort((a, b) => b.getTime() - a.getTime())[0];
  if (until) report.heldUntil = until;
  meter.phase('done');
  return report;
}

/** What prune would free now; under the shared lock, changing nothing (the same plan prune then carries out). */
export function estimatePrune(repo: Repository, options: Pick<PruneOptions, 'unindexedGraceMs'> = {}): Promise<PruneEstimate> {
  return repo.locked('prune-estimate', false, async (lock) => {
    const plan = await planPrune(repo, lock, options.unindexedGraceMs ?? lockTimeoutMs());
    return {
      bytesToFree: plan.deletions.reduce((sum, p) => sum + p.size, 0),
      packsToDelete: plan.deletions.filter((p) => p.counted).length,
      packsToRepack: plan.packsRepacked,
      blobsToRemove: plan.blobsRemoved,
      packsSpared: plan.packsSpared,
    };
  });
}

export function prune(repo: Repository, options: PruneOptions = {}): Promise<PruneReport> {
  return repo.locked('prune', true, (lock) => pruneLocked(repo, lock, options));
}
