import type { PageId, PageIntent } from './state/navigation-store.ts';

/** Where the app is, as it appears in the address bar. */
export interface Place {
  page: PageId;
  intent: PageIntent;
}

const PAGE_IDS: readonly PageId[] = ['volumes', 'backups', 'restore', 'activity', 'schedules', 'settings'];
const QUERY_KEYS = ['version', 'volume', 'target'] as const;

/**
 * The hash of a place: `#/page`, with the backup as a second segment and the
 * rest as a query, e.g. `#/backups/pgdata?target=nas`. A hash, not a path:
 * nothing of it reaches the server, and Electron's app:// page works the same.
 */
export function formatPlace(place: Place): string {
  let hash = `#/${place.page}`;
  if (place.intent.backup) hash += `/${encodeURIComponent(place.intent.backup)}`;
  const query = new URLSearchParams();
  for (const key of QUERY_KEYS) {
    const value = place.intent[key];
    if (value) query.set(key, value);
  }
  const q = query.toString();
  return q ? `${hash}?${q}` : hash;
}

/** The place a hash names; undefined for an empty or unknown one (the app then shows its first page). */
export function parsePlace(hash: string): Place | undefined {
  const m = /^#\/([a-z]+)(?:\/([^?]*))?(?:\?(.*))?$/.exec(hash);
  if (!m) return undefined;
  const page = PAGE_IDS.find((p) => p === m[1]);
  if (!page) return undefined;
  const intent: PageIntent = {};
  try {
    if (m[2]) intent.backup = decodeURIComponent(m[2]);
  } catch {
    return { page, intent };
  }
  const query = new URLSearchParams(m[3] ?? '');
  for (const key of QUERY_KEYS) {
    const value = query.get(key);
    if (value) intent[key] = value;
  }
  return { page, intent };
}
