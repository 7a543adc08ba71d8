import type { ComponentType } from 'react';
import { ActivityPage } from './pages/activity/ActivityPage.tsx';
import { BackupsPage } from './pages/backups/BackupsPage.tsx';
import { RestorePage } from './pages/restore/RestorePage.tsx';
import { SchedulesPage } from './pages/schedules/SchedulesPage.tsx';
import { SettingsPage } from './pages/settings/SettingsPage.tsx';
import { VolumesPage } from './pages/volumes/VolumesPage.tsx';
import type { PageId } from './state/navigation-store.ts';

export interface PageEntry {
  id: PageId;
  label: string;
  component: ComponentType;
}

/** The sidebar, top to bottom; a new page is one more entry here. */
export const PAGES: readonly PageEntry[] = [
  { id: 'volumes', label: 'Volumes', component: VolumesPage },
  { id: 'backups', label: 'Backups', component: BackupsPage },
  { id: 'restore', label: 'Restore', component: RestorePage },
  { id: 'activity', label: 'Activity', component: ActivityPage },
  { id: 'schedules', label: 'Schedules', component: SchedulesPage },
  { id: 'settings', label: 'Settings', component: SettingsPage },
];
