import { create } from 'zustand';
import type { VolumeDto } from '../../shared/api/dto.ts';
import { api } from '../api/api.ts';
import { errorText } from '../api/error-text.ts';

export interface VolumesState {
  /** null until the first list arrives. */
  volumes: VolumeDto[] | null;
  loading: boolean;
  /** A message for people, or null. */
  error: string | null;
  load(): Promise<void>;
  /** Reloads whenever the engine says volumes changed; returns the unsubscribe. */
  watch(): () => void;
}

let latestRequest = 0;

export const useVolumesStore = create<VolumesState>()((set, get) => ({
  volumes: null,
  loading: false,
  error: null,

  async load() {
    const request = ++latestRequest;
    set({ loading: true });
    try {
      const volumes = await api().call('volumes.list', {});
      if (request !== latestRequest) return;
      volumes.sort((a, b) => a.name.localeCompare(b.name));
      set({ volumes, loading: false, error: null });
    } catch (err) {
      if (request !== latestRequest) return;
      set({ loading: false, error: errorText(err) });
    }
  },

  watch() {
    return api().on('volumes.changed', () => void get().load());
  },
}));
