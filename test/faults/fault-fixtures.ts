/**
 * What every fault test checks afterwards: verify --read-data finds nothing
 * wrong, and every visible version restores to exactly the folder it was
 * taken from (no data lost).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { restoreToFolder, verify, type Repository } from '../../src/main/engine/index.ts';
import { snapshotDifferences, snapshotTree, type EntryInfo } from '../engine/helpers.ts';

export type Snapshot = Map<string, EntryInfo>;

/** What each version was taken from, by version id. */
export type Expected = Map<string, Snapshot>;

export function makeTemp(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dvom-fault-${label}-`));
}

/** Adds one random file to the source, so the next backup uploads new packs. */
export function growSource(source: string, bytes = 300 * 1024): void {
  const n = fs.readdirSync(source).length;
  fs.writeFileSync(path.join(source, `f${String(n).padStart(3, '0')}.bin`), randomBytes(bytes));
}

/** Restores `versionId` into a fresh folder under `scratch` and compares it with what it was taken from. */
export async function assertRestores(repo: Repository, versionId: string, expected: Snapshot, scratch: string): Promise<void> {
  const version = (await repo.versions()).find((v) => v.id === versionId);
  assert.ok(version, `version ${versionId} is listed`);
  const target = path.join(scratch, `restore-${randomBytes(4).toString('hex')}`);
  try {
    await restoreToFolder(repo, version, target);
    assert.deepEqual(snapshotDifferences(expected, await snapshotTree(target), { ignoreRootMtime: true }), [], `version ${versionId} restores as taken`);
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

/** verify --read-data is clean, the listed versions are exactly `expected`'s, and each restores as taken. */
export async function assertIntact(repo: Repository, expected: Expected, scratch: string, options: { restore?: boolean } = {}): Promise<void> {
  const report = await verify(repo, { readData: true });
  assert.deepEqual(report.errors, [], 'verify --read-data finds nothing wrong');
  assert.deepEqual((await repo.versions()).map((v) => v.id).sort(), [...expected.keys()].sort(), 'exactly the committed versions are visible');
  if (options.restore === false) return;
  for (const [id, snapshot] of expected) await assertRestores(repo, id, snapshot, scratch);
}

/** Folders a restore left beside its target (staging or swapped-out copies). */
export function restoreLeftovers(target: string): string[] {
  const parent = path.dirname(target);
  const base = path.basename(target);
  if (!fs.existsSync(parent)) return [];
  return fs.readdirSync(parent).filter((n) => n.startsWith(`${base}.dvom-`));
}
