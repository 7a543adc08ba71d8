import type { VolumeDto } from '../../../shared/api/dto.ts';

/** How the Volumes table is ordered within each group. */
export type VolumeSort = 'name' | 'size' | 'last-backup';

export const SORT_LABELS: Record<VolumeSort, string> = {
  name: 'Name',
  size: 'Size (largest first)',
  'last-backup': 'Last backup (oldest first)',
};

export interface VolumeGroup {
  /** The Compose stack, or null for the volumes of no stack. */
  stack: string | null;
  volumes: VolumeDto[];
}

/** A volume matches when its name, its stack or a container using it contains the text (any case). */
export function matches(volume: VolumeDto, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [volume.name, volume.stack ?? '', ...volume.usedBy.map((u) => u.name)].some((s) => s.toLowerCase().includes(q));
}

function compare(sort: VolumeSort): (a: VolumeDto, b: VolumeDto) => number {
  const byName = (a: VolumeDto, b: VolumeDto) => a.name.localeCompare(b.name);
  if (sort === 'size') return (a, b) => (b.size ?? -1) - (a.size ?? -1) || byName(a, b);
  // Never backed up first: those need attention most.
  if (sort === 'last-backup') return (a, b) => (a.lastBackup?.at ?? '').localeCompare(b.lastBackup?.at ?? '') || byName(a, b);
  return byName;
}

/** The volumes that match, grouped by stack (stacks by name, then those of no stack), each group sorted. */
export function groupVolumes(volumes: readonly VolumeDto[], query: string, sort: VolumeSort): VolumeGroup[] {
  const groups = new Map<string | null, VolumeDto[]>();
  for (const v of volumes) {
    if (!matches(v, query)) continue;
    const key = v.stack ?? null;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([stack, list]) => ({ stack, volumes: list.toSorted(compare(sort)) }));
}
