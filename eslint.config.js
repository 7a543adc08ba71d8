// Lint rules, including the project's layering: the engine never imports
// Electron, the renderer never imports Node, and the main process's folders
// import only downwards (see LAYERS).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The main process's layers, bottom first: a folder may import its own layer
 * and those below, never one above or beside it (DEVELOPERS.md, "Layers").
 * config, secrets and volumes sit below services with the neutral platform
 * helpers; cli and app sit above the scheduler (app owns it, cli edits
 * schedules); serve and electron host everything; desktop holds the tray's
 * Electron-free models and answers only to electron.
 */
const LAYERS = [
  ['engine'],
  ['docker', 'platform', 'secrets'],
  ['config', 'volumes'],
  ['services'],
  ['scheduler'],
  ['cli', 'app'],
  ['desktop'],
  ['serve', 'electron'],
];
const ALL_FOLDERS = LAYERS.flat();
/** Relative imports only: `../app/x.ts` from src/main/cli, `../../app/x.ts` from src/main/cli/commands. */
const folderImport = (folders) => `^(\\.\\./)+(${folders.join('|')})/`;
const ELECTRON = { name: 'electron', message: 'The engine, CLI and shared code never import Electron.' };

/** The no-restricted-imports rule for one folder: no folder above it or beside it in its layer. */
function layerRule(folder) {
  const level = LAYERS.findIndex((layer) => layer.includes(folder));
  const forbidden = ALL_FOLDERS.filter((f) => f !== folder && LAYERS.findIndex((layer) => layer.includes(f)) >= level);
  const paths = ['engine', 'cli', 'services', 'scheduler', 'docker', 'volumes', 'config', 'secrets', 'platform', 'desktop'].includes(folder) ? [ELECTRON] : [];
  const patterns = forbidden.length
    ? [{ regex: folderImport(forbidden), message: `src/main/${folder} imports only from the layers below it: ${LAYERS.map((l) => l.join('/')).join(' <- ')}.` }]
    : [];
  return { files: [`src/main/${folder}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tools/', 'bench-results/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...ALL_FOLDERS.map(layerRule),
  {
    // The composition root of the dvom command: it also registers `dvom serve`, which hosts the app.
    files: ['src/main/cli/dvom.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON], patterns: [{ regex: folderImport(['app', 'desktop', 'electron']), message: 'dvom.ts wires commands; the app is reached through serve.' }] }] },
  },
  {
    // The renderer runs in a browser page: Electron's sandboxed window or Chromium through `dvom serve`; so does the component-test harness page.
    files: ['src/renderer/**/*.{ts,tsx}', 'test/renderer-harness/page/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { ecmaFeatures: { jsx: true } },
      globals: { window: 'readonly', document: 'readonly', location: 'readonly', history: 'readonly', sessionStorage: 'readonly', WebSocket: 'readonly', navigator: 'readonly' },
    },
  },
  {
    // UI tests run in Node but pass callbacks that run in the page (page.evaluate).
    files: ['e2e/**/*.ts'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly' } },
  },
  {
    files: ['src/shared/**', 'src/renderer/**', 'test/renderer-harness/page/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'electron'], message: 'Shared and renderer code runs in the browser: no Node or Electron imports.' }] }],
    },
  },
  {
    // The renderer reaches the engine only through the API in src/shared/api: never src/main. Nor does it
    // import the test harness (test/), so the app's build holds none of it; its tests (Node) disable this rule.
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'electron'], message: 'Shared and renderer code runs in the browser: no Node or Electron imports.' },
            { regex: '^(\\.\\./)+main/', message: 'The renderer talks to the engine only through src/shared/api.' },
            { regex: '^(\\.\\./)+test/', message: 'The app never imports test code: the harness imports the renderer, not the other way round.' },
          ],
        },
      ],
    },
  },
);
