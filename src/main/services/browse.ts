import type { Writable } from 'node:stream';
import { notFound, throwIfAborted, usageError } from '../engine/errors.ts';
import {
  diffTrees,
  dumpFile,
  dumpTree,
  entriesUnder,
  findEntry,
  openTrees,
  orderedParts,
  versionUsage,
  type TreeChange,
  type VersionUsage,
} from '../engine/ops/browse.ts';
import type { Repository } from '../engine/repo/repository.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { overview } from '../engine/ops/catalog.ts';
import { isRootPath, normalizeEntryPath } from '../engine/tree/entry-path.ts';
import { compilePattern } from '../engine/tree/path-pattern.ts';
import { displayPath, type TreeEntry } from '../engine/tree/tree-entry.ts';

/**
 * File-level reads of a backup (ls, diff, dump, find, stats), for the CLI and
 * the app alike. Results go to a callback as they are found, under the
 * backup's shared lock (a prune cannot remove what is being read), so nothing
 * is collected: memory stays flat however many files a version has.
 */

/** One entry as shown to users: paths start at '/', the version's root (a volume backup's root holds one folder per volume). */
export interface EntryRow {
  path: string;
  type: TreeEntry['type'];
  /** Permission bits incl. setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  user?: string;
  group?: string;
  /** Content bytes (files; 0 otherwise). */
  size: number;
  mtime: string;
  linkTarget?: string;
}

export function entryRow(e: TreeEntry): EntryRow {
  return {
    path: shownPath(e.path),
    type: e.type,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    ...(e.uname ? { user: e.uname } : {}),
    ...(e.gname ? { group: e.gname } : {}),
    size: e.type === 'file' ? e.size : 0,
    mtime: new Date(e.mtimeMs).toISOString(),
    // Hard link targets are paths in the version; symbolic link targets are shown as stored.
    ...(e.linkTarget ? { linkTarget: e.type === 'hardlink' ? shownPath(e.linkTarget) : displayPath(e.linkTarget) } : {}),
  };
}

function shownPath(path: Buffer): string {
  const p = displayPath(path);
  return p === '.' ? '/' : `/${p}`;
}

/** A path typed by a user ('/pgdata/db', 'pgdata/db/', '/') as a stored entry path. */
export function entryPathFromUser(input: string): Buffer {
  const trimmed = input.replace(/^\/+/, '');
  try {
    return normalizeEntryPath(Buffer.from(trimmed || '.'), 'path');
  } catch {
    throw usageError(`invalid path '${input}': use a path inside the version, like /data/file.txt`);
  }
}

/** ls, diff, find and dump's lookup read trees only: their index leaves out content chunks. */
const TREES_ONLY = { treesOnly: true };

interface Common {
  signal?: AbortSignal;
}

/** Entries of a version at or below `path` (default: all), in archive order. */
export async function listVersion(
  repo: Repository,
  versionRef: string | undefined,
  path: string | undefined,
  onRow: (row: EntryRow) => void | Promise<void>,
  options: Common = {},
): Promise<{ version: VersionSummary; entries: number; exclusions: string[] }> {
  const base = entryPathFromUser(path ?? '/');
  return repo.locked('ls', false, async () => {
    const version = await repo.version(versionRef);
    const exclusions = repo.versionExclusions(version);
    const trees = await openTrees(repo, TREES_ONLY);
    let entries = 0;
    for await (const e of entriesUnder(trees.entries(version), base)) {
      throwIfAborted(options.signal);
      entries++;
      await onRow(entryRow(e));
    }
    if (!entries) throw notFound(`version ${version.id} of backup '${repo.name}' has no '${shownPath(base)}'`);
    return { version, entries, exclusions };
  });
}

export interface ChangeRow {
  change: '+' | '-' | 'M' | 'U';
  path: string;
  type: TreeEntry['type'];
  /** Size in the newer version (files; 0 otherwise). */
  size: number;
  /** Size in the older version, for changes and removals. */
  oldSize?: number;
}

const CHANGE_MARK: Record<TreeChange['kind'], ChangeRow['change']> = { added: '+', removed: '-', changed: 'M', metadata: 'U' };

function changeRow(c: TreeChange): ChangeRow {
  const now = c.after ?? c.before!;
  const size = (e: TreeEntry | undefined) => (e?.type === 'file' ? e.size : 0);
  return {
    change: CHANGE_MARK[c.kind],
    path: shownPath(c.path),
    type: now.type,
    size: size(c.after),
    ...(c.before ? { oldSize: size(c.before) } : {}),
  };
}

export interface DiffSummary {
  from: VersionSummary;
  to: VersionSummary;
  added: { entries: number; bytes: number };
  removed: { entries: number; bytes: number };
  changed: { entries: number; oldBytes: number; bytes: number };
  metadata: number;
}

/** What changed from one version to another, path by path, in path order. */
export async function diffVersions(
  repo: Repository,
  fromRef: string,
  toRef: string,
  onChange: (row: ChangeRow) => void | Promise<void>,
  options: Common & { metadata?: boolean } = {},
): Promise<DiffSummary> {
  return repo.locked('diff', false, async () => {
    const from = await repo.version(fromRef);
    const to = await repo.version(toRef);
    const trees = await openTrees(repo, TREES_ONLY);
    const summary: DiffSummary = {
      from,
      to,
      added: { entries: 0, bytes: 0 },
      removed: { entries: 0, bytes: 0 },
      changed: { entries: 0, oldBytes: 0, bytes: 0 },
      metadata: 0,
    };
    for (const part of orderedParts(from, to)) {
      const side = (v: VersionSummary) => (part ? entriesUnder(trees.entries(v), part) : trees.entries(v));
      const changes = diffTrees(side(from), side(to), {
        metadata: options.metadata === true,
        what: [`version ${from.id}`, `version ${to.id}`],
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for await (const c of changes) {
        const row = changeRow(c);
        if (row.change === '+') {
          summary.added.entries++;
          summary.added.bytes += row.size;
        } else if (row.change === '-') {
          summary.removed.entries++;
          summary.removed.bytes += row.oldSize ?? 0;
        } else if (row.change === 'M') {
          summary.changed.entries++;
          summary.changed.oldBytes += row.oldSize ?? 0;
          summary.changed.bytes += row.size;
        } else summary.metadata++;
        await onChange(row);
      }
    }
    return summary;
  });
}

/** Every version (oldest first) with the entries whose path matches `pattern` (see engine/tree/path-pattern.ts). */
export async function findInVersions(
  repo: Repository,
  pattern: string,
  onMatch: (version: VersionSummary, row: EntryRow) => void | Promise<void>,
  options: Common = {},
): Promise<{ versions: number; matches: number }> {
  const matcher = compilePattern(pattern);
  return repo.locked('find', false, async () => {
    const versions = await repo.versions();
    const trees = await openTrees(repo, TREES_ONLY);
    let hit = 0;
    let matches = 0;
    for (const version of versions) {
      let found = false;
      for await (const e of trees.entries(version)) {
        throwIfAborted(options.signal);
        if (!matcher.matches(displayPath(e.path))) continue;
        found = true;
        matches++;
        await onMatch(version, entryRow(e));
      }
      if (found) hit++;
    }
    return { versions: hit, matches };
  });
}

export interface VersionStatsRow extends VersionUsage {
  version: VersionSummary;
  /** Stored bytes this version added when it was made (recorded then). */
  addedStoredBytes: number;
  /** logical / stored; null when nothing is stored. */
  dedupRatio: number | null;
}

export interface BackupStats {
  versions: number;
  /** Sum over versions of their files' sizes. */
  logicalBytes: number;
  /** Everything the backup keeps in the store (packs, index, keys, versions, config). */
  storedBytes: number;
  dedupRatio: number | null;
}

const ratio = (logical: number, stored: number) => (stored > 0 ? logical / stored : null);

/** Per version (oldest first): logical size, stored size of what it needs, dedup ratio; then the whole backup's. */
export async function backupStats(
  repo: Repository,
  store: StorageBackend,
  onVersion: (row: VersionStatsRow) => void | Promise<void>,
  options: Common = {},
): Promise<BackupStats> {
  let logicalBytes = 0;
  const versions = await repo.locked('stats', false, async () => {
    const versions = await repo.versions();
    const trees = await openTrees(repo);
    for (const version of versions) {
      const usage = await versionUsage(trees, version, options.signal);
      logicalBytes += usage.logicalBytes;
      await onVersion({ version, ...usage, addedStoredBytes: version.stats.addedStoredBytes, dedupRatio: ratio(usage.logicalBytes, usage.storedBytes) });
    }
    return versions;
  });
  const { storedBytes } = await overview(store, repo.name);
  return { versions: versions.length, logicalBytes, storedBytes, dedupRatio: ratio(logicalBytes, storedBytes) };
}

/** Writes a file's content, or a folder as a tar stream, to `out`. A file is not ended; a tar stream ends `out`. */
export async function dumpPath(
  repo: Repository,
  versionRef: string | undefined,
  path: string,
  out: Writable,
  options: Common = {},
): Promise<{ version: VersionSummary; kind: 'file' | 'tar' }> {
  const wanted = entryPathFromUser(path);
  // One shared lock from looking the version up to the last byte (dumpTree and dumpFile nest theirs, also shared).
  return repo.locked('dump', false, async () => {
    const version = await repo.version(versionRef);
    const entry = await findEntry((await openTrees(repo, TREES_ONLY)).entries(version), wanted);
    const isFolder = isRootPath(wanted) || entry?.type === 'dir';
    if (!entry && !isFolder) throw notFound(`version ${version.id} of backup '${repo.name}' has no '${shownPath(wanted)}'`);
    if (isFolder) {
      await dumpTree(repo, version, wanted, out, options.signal);
      return { version, kind: 'tar' as const };
    }
    await dumpFile(repo, version, wanted, out, options.signal);
    return { version, kind: 'file' as const };
  });
}
