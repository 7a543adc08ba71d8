import type { ProgressListener } from '../../../shared/progress.ts';
import { ProgressMeter } from '../archive/progress-meter.ts';
import { BlobIndex } from '../repo/blob-index.ts';
import { idFromKey } from '../repo/layout.ts';
import type { Repository } from '../repo/repository.ts';
import { readTree, readTreeRoot } from '../tree/tree-io.ts';

export interface PruneReport {
  packsDeleted: number;
  packsRepacked: number;
  bytesFreed: number;
  blobsRemoved: number;
}

/** Repack a partly used pack only when at least this share of it is unused. */
const REPACK_THRESHOLD = 0.2;
/** Leftovers of interrupted writes younger than this may belong to a live writer on another host. */
const INCOMPLETE_AGE_MS = 60 * 60 * 1000;

/** Removes data no version references. Caller must hold the exclusive lock. */
export async function pruneLocked(repo: Repository, onProgress?: ProgressListener): Promise<PruneReport> {
  const meter = new ProgressMeter(onProgress, 'pruning');
  const { index, files } = await repo.loadIndex();
  const reader = repo.blobReader(index);
  const used = new Set<string>();
  for (const version of await repo.versions()) {
    used.add(version.root);
    const root = await readTreeRoot(reader, version.root);
    for (const id of root.tree) used.add(id);
    for await (const entry of readTree(reader, root)) for (const id of entry.chunks ?? []) used.add(id);
  }
  const report: PruneReport = { packsDeleted: 0, packsRepacked: 0, bytesFreed: 0, blobsRemoved: 0 };
  const kept = new BlobIndex();
  const drop = new Set<string>();
  const repack: [string, 'data' | 'meta'][] = [];
  for (const [packId, blobs] of index.byPack()) {
    const pack = index.packs.get(packId)!;
    const live = blobs.filter(([id]) => used.has(id));
    const deadBytes = blobs.filter(([id]) => !used.has(id)).reduce((s, [, b]) => s + b.length, 0);
    report.blobsRemoved += blobs.length - live.length;
    if (live.length === blobs.length || (live.length && deadBytes < pack.length * REPACK_THRESHOLD)) {
      kept.addPack(pack, live.length === blobs.length ? blobs : live);
      continue;
    }
    drop.add(packId);
    for (const [id, loc] of live) repack.push([id, loc.type]);
    if (live.length) report.packsRepacked++;
  }
  const writer = repo.blobWriter(kept);
  try {
    for (const [id, type] of repack) await writer.add(type, await reader.read(id));
    await writer.flush();
  } catch (err) {
    await writer.abort(err); // ends the pack being written, so no put is left waiting
    throw err;
  }
  // New index first, then old index files, then data: a crash at any step leaves every version readable.
  const allPacks = [...kept.byPack()].map(([id, blobs]) => ({ info: kept.packs.get(id)!, blobs }));
  await repo.writeIndex(allPacks);
  for (const file of files) await repo.backend.delete(file);
  for await (const obj of repo.backend.list(repo.layout.packsPrefix)) {
    const id = idFromKey(obj.key);
    if (kept.packs.has(id)) continue;
    await repo.backend.delete(obj.key);
    report.bytesFreed += obj.size;
    if (drop.has(id) || !index.packs.has(id)) report.packsDeleted++;
    meter.update({ bytesDone: report.bytesFreed });
  }
  await repo.backend.sweepIncomplete?.(repo.layout.root, INCOMPLETE_AGE_MS);
  meter.phase('done');
  return report;
}

export function prune(repo: Repository, onProgress?: ProgressListener): Promise<PruneReport> {
  return repo.locked('prune', true, () => pruneLocked(repo, onProgress));
}
