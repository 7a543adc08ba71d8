// Builds the renderer (src/renderer) into dist/renderer, which both the
// Electron shell (app://dvom/) and `dvom serve` load. Relative asset paths
// (base './') work under either origin.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Electron 45 ships Chromium 140; Debian's Chromium is newer.
    target: 'chrome120',
    // The page's CSP forbids inline scripts; keep every asset a file.
    assetsInlineLimit: 0,
  },
});
