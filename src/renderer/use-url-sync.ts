import { useEffect } from 'react';
import { useBackupsStore } from './state/backups-store.ts';
import { useNavigation } from './state/navigation-store.ts';
import { formatPlace, parsePlace, type Place } from './url-state.ts';

/** Where the app is now: the page, and on Backups the storage target shown and the backup opened last. */
function currentPlace(): Place {
  const { page, intent } = useNavigation.getState();
  if (page !== 'backups') return { page, intent };
  const { expanded, target } = useBackupsStore.getState();
  const open = expanded.at(-1);
  return { page, intent: { ...(open ? { backup: open } : {}), ...(target ? { target } : {}) } };
}

/** Shows the Backups page's target (the default store for none), then opens the backup. */
function openOnBackups(intent: { backup?: string; target?: string }): void {
  useBackupsStore.getState().open(intent.target ?? '', intent.backup);
}

/**
 * Keeps the address bar's hash and the app in step: a reload shows the same
 * page (and open backup), Back and Forward move between pages. A page change
 * is a new history entry; opening a backup only updates the current one.
 */
export function useUrlSync(): void {
  useEffect(() => {
    const follow = () => {
      const place = parsePlace(window.location.hash);
      if (!place) return;
      if (place.page === 'backups') openOnBackups(place.intent);
      const now = useNavigation.getState();
      if (formatPlace(place) !== formatPlace({ page: now.page, intent: now.intent })) now.go(place.page, place.intent);
    };
    const write = () => {
      const place = currentPlace();
      const hash = formatPlace(place);
      if (hash === window.location.hash) return;
      const samePage = parsePlace(window.location.hash)?.page === place.page;
      window.history[samePage || !window.location.hash ? 'replaceState' : 'pushState'](null, '', hash);
    };
    follow();
    write();
    const offNavigation = useNavigation.subscribe((s, prev) => {
      // Another page sent us to a backup (e.g. "Open backup"): open it on the Backups page.
      // Without a target it stays on the one shown (an address without one means the default store).
      if (s.page === 'backups' && s.intent !== prev.intent && (s.intent.backup || s.intent.target)) {
        openOnBackups({ ...s.intent, target: s.intent.target ?? useBackupsStore.getState().target });
      }
      write();
    });
    const offBackups = useBackupsStore.subscribe((s, prev) => {
      if (s.expanded !== prev.expanded || s.target !== prev.target) write();
    });
    window.addEventListener('popstate', follow);
    return () => {
      offNavigation();
      offBackups();
      window.removeEventListener('popstate', follow);
    };
  }, []);
}
