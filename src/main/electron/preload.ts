// Runs in the sandboxed preload: exposes only the typed API transport, never ipcRenderer.
// Bundled into one CommonJS file (vite.preload.config.ts), as sandboxed preloads require.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './preload-api.ts';

contextBridge.exposeInMainWorld('dvom', createPreloadApi(ipcRenderer));
