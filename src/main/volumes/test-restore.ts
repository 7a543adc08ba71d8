import { createHash, randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { ProgressListener } from '../../shared/progress.ts';
import { integrityError } from '../engine/errors.ts';
import { openVersion } from '../engine/ops/restore.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import { displayPath } from '../engine/tree/tree-entry.ts';
import { hasRules, pathFilter, type EntryFilter, type PathRules } from '../engine/tree/path-filter.ts';
import { readVolume } from '../docker/volume-archive.ts';
import { createVolume, removeVolume } from '../docker/volumes.ts';
import { writeVersionToVolume } from './restore-volume.ts';
import { sourceSelector } from './volume-paths.ts';

export interface TestRestoreResult {
  version: string;
  files: number;
  bytes: number;
  durationMs: number;
}

interface FileFacts {
  files: number;
  bytes: number;
  /** Order-independent digest of (path, size, sha256) of every file. */
  digest: bigint;
}

const MOD = 1n << 256n;

function fileDigest(path: Buffer, size: number, sha256: string): bigint {
  const h = createHash('sha256').update(path).update('\0').update(String(size)).update('\0').update(sha256).digest('hex');
  return BigInt('0x' + h);
}

/**
 * Restores a version into a scratch volume, reads the volume back through the
 * engine and checks that every file has the recorded size and SHA-256, then
 * removes the scratch volume. Proves the backup really comes back.
 */
export async function testRestore(
  repo: Repository,
  docker: Docker,
  version: VersionSummary,
  options: { sourceVolume?: string; rules?: PathRules; onProgress?: ProgressListener; signal?: AbortSignal } = {},
): Promise<TestRestoreResult> {
  const started = Date.now();
  const { select } = sourceSelector(version, options.sourceVolume);
  const scratch = `dvom-test-${randomBytes(4).toString('hex')}`;
  await createVolume(docker, scratch, true);
  try {
    await writeVersionToVolume(repo, docker, version, scratch, options);
    const filter = hasRules(options.rules) ? pathFilter(options.rules!) : undefined;
    const expected = await expectedFacts(repo, version, select, filter);
    const actual = await volumeFacts(docker, scratch, options.signal);
    if (actual.files !== expected.files || actual.bytes !== expected.bytes || actual.digest !== expected.digest) {
      const culprit = await findDifference(repo, version, select, filter, docker, scratch);
      throw integrityError(`test restore of version ${version.id} failed: ${culprit}`);
    }
    return { version: version.id, files: actual.files, bytes: actual.bytes, durationMs: Date.now() - started };
  } finally {
    await removeVolume(docker, scratch);
  }
}

async function expectedFacts(
  repo: Repository,
  version: VersionSummary,
  select: Parameters<typeof openVersion>[2],
  filter: EntryFilter | undefined,
): Promise<FileFacts> {
  const facts: FileFacts = { files: 0, bytes: 0, digest: 0n };
  const opened = await openVersion(repo, version, select, undefined, filter);
  for await (const e of opened.entries()) {
    if (e.type !== 'file') continue;
    facts.files++;
    facts.bytes += e.size;
    facts.digest = (facts.digest + fileDigest(e.path, e.size, e.sha256!)) % MOD;
  }
  return facts;
}

async function* volumeFiles(docker: Docker, volume: string, signal?: AbortSignal) {
  for await (const { header, body } of readVolume(docker, volume, { signal, lentBodies: true })) {
    if (header.type !== 'file' || !body) continue;
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.length;
    }
    yield { path: header.path, size, sha256: hash.digest('hex') };
  }
}

async function volumeFacts(docker: Docker, volume: string, signal?: AbortSignal): Promise<FileFacts> {
  const facts: FileFacts = { files: 0, bytes: 0, digest: 0n };
  for await (const f of volumeFiles(docker, volume, signal)) {
    facts.files++;
    facts.bytes += f.size;
    facts.digest = (facts.digest + fileDigest(f.path, f.size, f.sha256)) % MOD;
  }
  return facts;
}

/** Slow path, only after a mismatch: name the first file that differs. */
async function findDifference(
  repo: Repository,
  version: VersionSummary,
  select: Parameters<typeof openVersion>[2],
  filter: EntryFilter | undefined,
  docker: Docker,
  volume: string,
): Promise<string> {
  const expected = new Map<string, { size: number; sha256: string }>();
  const opened = await openVersion(repo, version, select, undefined, filter);
  for await (const e of opened.entries()) if (e.type === 'file') expected.set(e.path.toString('latin1'), { size: e.size, sha256: e.sha256! });
  for await (const f of volumeFiles(docker, volume)) {
    const key = f.path.toString('latin1');
    const want = expected.get(key);
    const name = displayPath(f.path);
    if (!want) return `file '${name}' is not in the version`;
    if (want.size !== f.size) return `file '${name}' has ${f.size} bytes, expected ${want.size}`;
    if (want.sha256 !== f.sha256) return `file '${name}' does not match its SHA-256`;
    expected.delete(key);
  }
  const missing = expected.keys().next();
  return missing.done ? 'the restored files differ from the version' : `file '${Buffer.from(missing.value, 'latin1').toString()}' is missing`;
}
