import type { ProgressListener } from '../../../shared/progress.ts';
import { DvomError, throwIfAborted } from '../errors.ts';
import { ProgressMeter } from '../archive/progress-meter.ts';
import type { BlobIndex, BlobLocation } from '../repo/blob-index.ts';
import { idFromKey } from '../repo/layout.ts';
import type { Repository } from '../repo/repository.ts';
import { readTree, readTreeRoot } from '../tree/tree-io.ts';
import { displayPath } from '../tree/tree-entry.ts';

export interface VerifyOptions {
  /** Also read, decrypt and check every blob of every pack. */
  readData?: boolean;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface VerifyReport {
  versions: number;
  /** The versions this run checked (one committed meanwhile is not among them). */
  versionIds: string[];
  packs: number;
  blobs: number;
  bytesRead: number;
  /** Problems that make data unrestorable. */
  errors: string[];
  /** Harmless findings (e.g. unreferenced packs that prune would remove). */
  notes: string[];
}

/**
 * A cancel, or a store that could not be read (unreachable, a cut-off answer:
 * code ERROR), says nothing about the data: verify stops with that error
 * instead of reporting the backup as damaged.
 */
function notDamage(err: unknown): boolean {
  return err instanceof DvomError && (err.code === 'CANCELLED' || err.code === 'ERROR');
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Structure check: every version's seal, tree and chunk references resolve;
 * every indexed pack exists with its recorded size. With readData, every
 * pack is also decrypted and every blob checked against its id.
 */
export async function verify(repo: Repository, options: VerifyOptions = {}): Promise<VerifyReport> {
  return repo.locked('verify', false, async () => {
    const report: VerifyReport = { versions: 0, versionIds: [], packs: 0, blobs: 0, bytesRead: 0, errors: [], notes: [] };
    const meter = new ProgressMeter(options.onProgress, 'verifying');
    const { index } = await repo.loadIndex();
    const versions = await repo.versions();
    const reader = repo.blobReader(index);
    for (const version of versions) {
      throwIfAborted(options.signal);
      try {
        const root = await readTreeRoot(reader, version.root);
        for (const id of root.tree) if (!index.has(id)) report.errors.push(`version ${version.id}: tree part missing`);
        for await (const entry of readTree(reader, root)) {
          for (const id of entry.chunks ?? []) {
            if (!index.has(id)) report.errors.push(`version ${version.id}: '${displayPath(entry.path)}' references a missing chunk`);
          }
        }
      } catch (err) {
        if (notDamage(err)) throw err;
        report.errors.push(`version ${version.id}: ${describe(err)}`);
      }
      report.versions++;
      report.versionIds.push(version.id);
    }
    const stored = new Map<string, number>();
    for await (const obj of repo.backend.list(repo.layout.packsPrefix)) stored.set(idFromKey(obj.key), obj.size);
    for (const pack of index.packs.values()) {
      const size = stored.get(pack.id);
      if (size === undefined) report.errors.push(`pack ${pack.id} is missing`);
      else if (size !== pack.size) report.errors.push(`pack ${pack.id} has ${size} bytes, expected ${pack.size} (truncated or modified)`);
      stored.delete(pack.id);
    }
    if (stored.size) report.notes.push(`${stored.size} pack(s) are not referenced by any index (left by an interrupted backup; prune removes them)`);
    report.packs = index.packs.size;
    if (options.readData) await readAllData(repo, index, report, meter, options.signal);
    else report.blobs = index.size;
    meter.phase('done');
    return report;
  });
}

async function readAllData(repo: Repository, index: BlobIndex, report: VerifyReport, meter: ProgressMeter, signal?: AbortSignal) {
  const total = [...index.packs.values()].reduce((sum, p) => sum + p.size, 0);
  meter.update({ bytesTotal: total }, true);
  const reader = repo.blobReader(index);
  for (const [packId, blobs] of index.byPack()) {
    throwIfAborted(signal);
    const pack = index.packs.get(packId)!;
    try {
      // A pack is at most a few tens of MiB: read it whole, then check each blob.
      const parts: Buffer[] = [];
      for await (const part of repo.codec.readObjectStream(repo.layout.pack(packId))) parts.push(part);
      const payload = Buffer.concat(parts);
      if (payload.length !== pack.length) throw new Error(`payload is ${payload.length} bytes, expected ${pack.length}`);
      for (const [id, loc] of blobs as [string, BlobLocation][]) {
        try {
          await reader.decode(id, loc, payload.subarray(loc.offset, loc.offset + loc.length));
          report.blobs++;
        } catch (err) {
          report.errors.push(describe(err));
        }
      }
    } catch (err) {
      if (notDamage(err)) throw err;
      report.errors.push(`pack ${packId}: ${describe(err)}`);
    }
    report.bytesRead += pack.size;
    meter.update({ bytesDone: report.bytesRead });
  }
}
