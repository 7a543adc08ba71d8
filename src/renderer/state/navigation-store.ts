import { create } from 'zustand';

export type PageId = 'volumes' | 'backups' | 'restore' | 'activity' | 'schedules' | 'settings';

/** What a page was opened for (e.g. the restore wizard with a backup and version chosen). */
export interface PageIntent {
  backup?: string;
  version?: string;
  volume?: string;
  /** The storage target the backup is in (the Backups page's target). */
  target?: string;
}

interface NavigationState {
  page: PageId;
  intent: PageIntent;
  go(page: PageId, intent?: PageIntent): void;
}

/** Which page is shown; pages navigate each other through go(). */
export const useNavigation = create<NavigationState>((set) => ({
  page: 'volumes',
  intent: {},
  go: (page, intent = {}) => set({ page, intent }),
}));
