import type Docker from 'dockerode';
import type { TarEntryType } from '../engine/tar/tar-types.ts';
import { readVolume } from './volume-archive.ts';

export interface VolumeFolderEntry {
  name: string;
  /** Relative to the volume's root, '/'-separated. */
  path: string;
  type: TarEntryType;
  size: number;
}

/** More entries than anyone reads in one folder listing; the rest are left out. */
const MAX_ENTRIES = 5000;

/**
 * The entries directly inside one folder of a volume as it is now (folders
 * first, then by name). The engine's archive API has no directory listing,
 * so that folder's subtree streams past; file contents are skipped, not kept.
 */
export async function listVolumeFolder(docker: Docker, volume: string, folder: string, signal?: AbortSignal): Promise<VolumeFolderEntry[]> {
  const dir = folder.replace(/^\/+|\/+$/g, '');
  const out: VolumeFolderEntry[] = [];
  for await (const { header } of readVolume(docker, volume, { signal, folder: dir })) {
    const name = header.path.toString('utf8').replace(/^\.\//, '').replace(/\/+$/, '');
    if (name === '.' || name === '' || name.includes('/')) continue;
    out.push({ name, path: dir ? `${dir}/${name}` : name, type: header.type, size: header.size });
    if (out.length >= MAX_ENTRIES) break;
  }
  return out.sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name));
}
