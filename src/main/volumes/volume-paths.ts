import type { EntrySelector } from '../engine/ops/restore.ts';
import type { SourceEntry } from '../engine/tree/tree-entry.ts';
import type { VersionSummary } from '../engine/repo/version-file.ts';
import { usageError } from '../engine/errors.ts';
import { withMovedPaths } from '../docker/volume-archive.ts';

/**
 * In a volume backup every volume is a top-level folder named after it
 * ('pgdata', 'pgdata/base/1', ...), so one version can hold several volumes.
 */
const DOT = Buffer.from('.');

function isRoot(path: Buffer): boolean {
  return path.equals(DOT);
}

function prefixed(volume: Buffer, path: Buffer): Buffer {
  return isRoot(path) ? volume : Buffer.concat([volume, Buffer.from('/'), path]);
}

/** Moves a volume's entries under a top-level folder named after the volume. */
export async function* underVolume(volume: string, entries: AsyncIterable<SourceEntry>): AsyncGenerator<SourceEntry> {
  const name = Buffer.from(volume);
  for await (const entry of entries) {
    yield { ...entry, header: withMovedPaths(entry.header, (path) => prefixed(name, path)) };
  }
}

/** The entries of one volume of a version, with paths relative to the volume again. */
export function selectVolume(volume: string): EntrySelector {
  const name = Buffer.from(volume);
  const prefix = Buffer.from(`${volume}/`);
  const strip = (path: Buffer): Buffer | undefined => {
    if (path.equals(name)) return DOT;
    if (path.length > prefix.length && path.subarray(0, prefix.length).equals(prefix)) return path.subarray(prefix.length);
    return undefined;
  };
  return (entry) => {
    const path = strip(entry.path);
    if (!path) return undefined;
    const picked = { ...entry, path };
    if (entry.type === 'hardlink' && entry.linkTarget) {
      const target = strip(entry.linkTarget);
      if (!target) return undefined;
      picked.linkTarget = target;
    }
    return picked;
  };
}

/** Which volume of a version to restore: the one asked for, or the only one. Folder backups restore whole. */
export function sourceSelector(version: VersionSummary, requested: string | undefined): { volume?: string; select?: EntrySelector } {
  if (version.sourceKind === 'path') {
    if (requested) throw usageError(`version ${version.id} is a folder backup; it has no volume '${requested}'`);
    return {};
  }
  const volume = requested ?? (version.volumes.length === 1 ? version.volumes[0] : undefined);
  if (!volume) {
    throw usageError(`version ${version.id} holds several volumes (${version.volumes.join(', ')}); choose one with --volume=NAME`);
  }
  if (!version.volumes.includes(volume)) {
    throw usageError(`version ${version.id} has no volume '${volume}' (it has: ${version.volumes.join(', ')})`);
  }
  return { volume, select: selectVolume(volume) };
}

/**
 * Restricts a selection to some files and folders (paths relative to the
 * restored root): each chosen path with everything below it, plus the folders
 * above it so it has somewhere to go.
 */
export function selectPaths(base: EntrySelector | undefined, paths: string[]): EntrySelector {
  const chosen = paths.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
  if (chosen.some((p) => p.split('/').some((part) => part === '..' || part === '.'))) {
    throw usageError('selected paths must be relative paths inside the version, without "." or ".."');
  }
  return (entry) => {
    const picked = base ? base(entry) : entry;
    if (!picked) return undefined;
    const path = picked.path.toString('utf8');
    if (path === '.') return picked;
    const keep = chosen.some((c) => path === c || path.startsWith(c + '/') || (picked.type === 'dir' && c.startsWith(path + '/')));
    if (!keep) return undefined;
    // A hard link whose target was not selected would point nowhere: skip it.
    if (picked.type === 'hardlink' && picked.linkTarget) {
      const target = picked.linkTarget.toString('utf8');
      if (!chosen.some((c) => target === c || target.startsWith(c + '/'))) return undefined;
    }
    return picked;
  };
}
