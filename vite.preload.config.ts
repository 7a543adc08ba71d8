// Bundles the Electron preload into ONE CommonJS file: a sandboxed preload
// can require('electron') but no relative files of its own.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/electron', import.meta.url)),
    emptyOutDir: false,
    target: 'chrome120',
    minify: false,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./src/main/electron/preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: { external: ['electron'] },
  },
});
