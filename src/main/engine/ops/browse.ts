import type { Writable } from 'node:stream';
import { DvomError, notFound, throwIfAborted, usageError } from '../errors.ts';
import type { BlobIndex } from '../repo/blob-index.ts';
import type { Repository } from '../repo/repository.ts';
import type { VersionSummary } from '../repo/version-file.ts';
import { isRootPath } from '../tree/entry-path.ts';
import { comparePaths } from '../tree/path-order.ts';
import { displayPath, type TreeEntry } from '../tree/tree-entry.ts';
import { readTree, readTreeRoot } from '../tree/tree-io.ts';
import { openVersion, restoreToTar, type EntrySelector } from './restore.ts';

/**
 * Reading versions file by file (ls, diff, dump, find, stats). Trees are
 * walked lazily, one tree part (~1 MiB of records) at a time, so memory does
 * not grow with the number of files; only the backup's blob index (which
 * every read needs) is held whole.
 */

export interface VersionTrees {
  index: BlobIndex;
  /** Every entry of a version, in archive order. */
  entries(version: VersionSummary): AsyncGenerator<TreeEntry>;
  /** Ids of the tree blobs of a version (its root and tree parts). */
  treeBlobs(version: VersionSummary): Promise<string[]>;
}

/**
 * Loads the index once; walks any version of the backup. With `treesOnly`
 * the index holds only tree blobs, so its size does not grow with the
 * number of content chunks (ls, diff, find); stats needs them all.
 */
export async function openTrees(repo: Repository, options: { treesOnly?: boolean } = {}): Promise<VersionTrees> {
  const { index } = await repo.loadIndex(options.treesOnly ? 'meta' : undefined);
  const reader = repo.blobReader(index);
  return {
    index,
    async *entries(version) {
      yield* readTree(reader, await readTreeRoot(reader, version.root));
    },
    async treeBlobs(version) {
      return [version.root, ...(await readTreeRoot(reader, version.root)).tree];
    },
  };
}

const SLASH = 0x2f;

/** True if `path` is `base` or below it ('.' is above everything). */
export function isAtOrBelow(path: Buffer, base: Buffer): boolean {
  if (isRootPath(base)) return true;
  if (path.length === base.length) return path.equals(base);
  return path.length > base.length && path[base.length] === SLASH && path.subarray(0, base.length).equals(base);
}

/** The entries at or below `base`. */
export async function* entriesUnder(entries: AsyncIterable<TreeEntry>, base: Buffer): AsyncGenerator<TreeEntry> {
  for await (const e of entries) if (isAtOrBelow(e.path, base)) yield e;
}

/** The entry at `path`, or undefined. */
export async function findEntry(entries: AsyncIterable<TreeEntry>, path: Buffer): Promise<TreeEntry | undefined> {
  for await (const e of entries) if (e.path.equals(path)) return e;
  return undefined;
}

// ------------------------------------------------------------------ diff

export interface TreeChange {
  /** added, removed, changed (content, type or link target), metadata (mode, owner or mtime only). */
  kind: 'added' | 'removed' | 'changed' | 'metadata';
  path: Buffer;
  before?: TreeEntry;
  after?: TreeEntry;
}

function contentChanged(a: TreeEntry, b: TreeEntry): boolean {
  if (a.type !== b.type) return true;
  if (a.type === 'file') return a.size !== b.size || a.sha256 !== b.sha256;
  if (a.type === 'symlink' || a.type === 'hardlink') return !(a.linkTarget ?? Buffer.alloc(0)).equals(b.linkTarget ?? Buffer.alloc(0));
  if (a.type === 'char' || a.type === 'block') return a.devMajor !== b.devMajor || a.devMinor !== b.devMinor;
  return false;
}

function metadataChanged(a: TreeEntry, b: TreeEntry): boolean {
  return a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.mtimeMs !== b.mtimeMs;
}

/** Checks that a side of a merge walk comes in path order (the walk is only right if it does). */
async function* inPathOrder(entries: AsyncIterable<TreeEntry>, what: string): AsyncGenerator<TreeEntry> {
  let previous: Buffer | undefined;
  for await (const e of entries) {
    if (previous && comparePaths(previous, e.path) >= 0) {
      throw new DvomError('ERROR', `${what}: '${displayPath(e.path)}' comes after '${displayPath(previous)}'; its tree is not in path order`);
    }
    previous = e.path;
    yield e;
  }
}

/**
 * The differences between two trees, walking both at once in path order
 * (constant memory). With `metadata`, entries whose content is the same but
 * whose mode, owner or mtime changed are reported too.
 */
export async function* diffTrees(
  before: AsyncIterable<TreeEntry>,
  after: AsyncIterable<TreeEntry>,
  options: { metadata?: boolean; what?: [string, string]; signal?: AbortSignal } = {},
): AsyncGenerator<TreeChange> {
  const [whatA, whatB] = options.what ?? ['first tree', 'second tree'];
  const a = inPathOrder(before, whatA)[Symbol.asyncIterator]();
  const b = inPathOrder(after, whatB)[Symbol.asyncIterator]();
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    throwIfAborted(options.signal);
    const order = x.done ? 1 : y.done ? -1 : comparePaths(x.value.path, y.value.path);
    if (order < 0) {
      yield { kind: 'removed', path: x.value!.path, before: x.value! };
      x = await a.next();
    } else if (order > 0) {
      yield { kind: 'added', path: y.value!.path, after: y.value! };
      y = await b.next();
    } else {
      const [p, q] = [x.value!, y.value!];
      if (contentChanged(p, q)) yield { kind: 'changed', path: q.path, before: p, after: q };
      else if (options.metadata && metadataChanged(p, q)) yield { kind: 'metadata', path: q.path, before: p, after: q };
      x = await a.next();
      y = await b.next();
    }
  }
}

/**
 * The parts of a version that are walked in path order: the whole tree of a
 * folder backup; each volume's folder of a volume backup (volumes are stored
 * in the order they were named, each one in path order).
 */
export function orderedParts(v1: VersionSummary, v2: VersionSummary): (Buffer | undefined)[] {
  if (v1.sourceKind === 'path' || v2.sourceKind === 'path') return [undefined];
  const names = [...new Set([...v1.volumes, ...v2.volumes])].map((n) => Buffer.from(n));
  return names.sort(comparePaths);
}

// ------------------------------------------------------------------ stats

export interface VersionUsage {
  /** Sum of the file sizes (what a restore writes). */
  logicalBytes: number;
  /** Stored bytes of the distinct blobs (content chunks and tree parts) the version needs. */
  storedBytes: number;
  /** Distinct content chunks. */
  chunks: number;
}

/**
 * What one version takes: its files' size and the stored size of the distinct
 * blobs it references. Keeps one set of blob ids (at most the index's size).
 */
export async function versionUsage(trees: VersionTrees, version: VersionSummary, signal?: AbortSignal): Promise<VersionUsage> {
  const seen = new Set<string>();
  let logicalBytes = 0;
  let storedBytes = 0;
  const count = (id: string): boolean => {
    if (seen.has(id)) return false;
    seen.add(id);
    const loc = trees.index.get(id);
    if (!loc) throw new DvomError('INTEGRITY', `version ${version.id} references blob ${id.slice(0, 12)}…, which is not in the index`);
    storedBytes += loc.length;
    return true;
  };
  for (const id of await trees.treeBlobs(version)) count(id);
  const treeBlobs = seen.size;
  for await (const e of trees.entries(version)) {
    throwIfAborted(signal);
    if (e.type !== 'file') continue;
    logicalBytes += e.size;
    for (const id of e.chunks ?? []) count(id);
  }
  return { logicalBytes, storedBytes, chunks: seen.size - treeBlobs };
}

// ------------------------------------------------------------------ dump

/** Writes one file's content (verified against its SHA-256 as it streams); follows a hard link to its file. */
export async function dumpFile(
  repo: Repository,
  version: VersionSummary,
  path: Buffer,
  out: Writable,
  signal?: AbortSignal,
): Promise<{ bytes: number }> {
  return repo.locked('dump', false, async () => {
    let wanted = path;
    for (let hop = 0; hop < 2; hop++) {
      const select: EntrySelector = (e) => (e.path.equals(wanted) ? e : undefined);
      const opened = await openVersion(repo, version, select);
      for await (const { entry, content } of opened.items()) {
        if (entry.type === 'hardlink' && entry.linkTarget && hop === 0) {
          wanted = entry.linkTarget;
          break;
        }
        if (!content) throw usageError(`'${displayPath(path)}' is a ${describeType(entry)}, not a file`);
        let bytes = 0;
        for await (const chunk of content) {
          throwIfAborted(signal);
          bytes += chunk.length;
          if (!out.write(chunk)) await drained(out, signal);
        }
        return { bytes };
      }
      if (wanted === path) break;
    }
    throw notFound(`version ${version.id} has no '${displayPath(path)}'`);
  });
}

function describeType(e: TreeEntry): string {
  if (e.type === 'dir') return 'folder (it is dumped as a tar stream)';
  if (e.type === 'symlink') return `symbolic link to '${displayPath(e.linkTarget ?? Buffer.alloc(0))}'`;
  return `${e.type} entry`;
}

function drained(out: Writable, signal?: AbortSignal): Promise<void> {
  if (out.errored) return Promise.reject(out.errored);
  if (out.destroyed) return Promise.reject(new DvomError('ERROR', 'the output was closed'));
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(new DvomError('ERROR', 'the output was closed'));
    const onAbort = () => done(new DvomError('CANCELLED', 'cancelled'));
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
    signal?.addEventListener('abort', onAbort);
  });
}

/**
 * Streams a folder of a version as a tar archive named from the folder down
 * ('db', 'db/table' for 'pgdata/db'; the whole version for the root), content
 * verified as it streams. Hard links to files outside the folder are left
 * out (they would have nothing to point to). Ends `out`.
 */
export async function dumpTree(
  repo: Repository,
  version: VersionSummary,
  folder: Buffer,
  out: Writable,
  signal?: AbortSignal,
): Promise<{ files: number; bytes: number }> {
  if (isRootPath(folder)) return restoreToTar(repo, version, out, signal ? { signal } : {});
  const cut = folder.lastIndexOf(SLASH) + 1;
  const rename = (p: Buffer) => p.subarray(cut);
  const select: EntrySelector = (e) => {
    if (!isAtOrBelow(e.path, folder)) return undefined;
    if (e.type === 'hardlink' && e.linkTarget) {
      if (!isAtOrBelow(e.linkTarget, folder)) return undefined;
      return { ...e, path: rename(e.path), linkTarget: rename(e.linkTarget) };
    }
    return { ...e, path: rename(e.path) };
  };
  return restoreToTar(repo, version, out, { select, ...(signal ? { signal } : {}) });
}
