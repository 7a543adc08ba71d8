import type { VersionOriginDto } from '../../shared/api/dto.ts';

/** What made a version, in words for a list ("Schedule nightly", "By hand"). */
export function originWords(origin: VersionOriginDto | undefined): string {
  switch (origin?.kind) {
    case 'manual':
      return 'By hand';
    case 'cli':
      return 'Command line';
    case 'schedule':
      return `Schedule ${origin.schedule}`;
    default:
      return 'Origin unknown';
  }
}

/**
 * The versions a schedule's run would remove that it did not make, counted
 * by who made them; null when there are none. `schedule`: its name, when the
 * name is valid (a schedule not named yet made nothing).
 */
export function foreignRemovals(
  remove: readonly { origin?: VersionOriginDto }[],
  schedule: string | undefined,
): { total: number; byHand: number; otherSchedules: number; unknown: number } | null {
  const counts = { total: 0, byHand: 0, otherSchedules: 0, unknown: 0 };
  for (const { origin } of remove) {
    if (origin?.kind === 'schedule' && origin.schedule === schedule) continue;
    counts.total++;
    if (origin?.kind === 'manual' || origin?.kind === 'cli') counts.byHand++;
    else if (origin?.kind === 'schedule') counts.otherSchedules++;
    else counts.unknown++;
  }
  return counts.total ? counts : null;
}
