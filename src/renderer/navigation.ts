import type { ComponentType } from 'react';
import { VolumesPage } from './pages/VolumesPage.tsx';

export interface PageEntry {
  id: string;
  label: string;
  component: ComponentType;
}

/** The sidebar, top to bottom; a new page is one more entry here. */
export const PAGES: readonly PageEntry[] = [{ id: 'volumes', label: 'Volumes', component: VolumesPage }];
