// Lint rules, including the project's layering: the engine never imports
// Electron, and the renderer never imports Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    files: ['src/main/engine/**', 'src/main/cli/**', 'src/shared/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The engine, CLI and shared code never import Electron.' }] }] },
  },
  {
    // The renderer runs in a browser page: Electron's sandboxed window or Chromium through `dvom serve`.
    files: ['src/renderer/**/*.{ts,tsx}'],
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
    files: ['src/shared/**', 'src/renderer/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'electron'], message: 'Shared and renderer code runs in the browser: no Node or Electron imports.' }] }],
    },
  },
  {
    // The renderer reaches the engine only through the API in src/shared/api: never src/main.
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'electron'], message: 'Shared and renderer code runs in the browser: no Node or Electron imports.' },
            { regex: '^(\\.\\./)+main/', message: 'The renderer talks to the engine only through src/shared/api.' },
          ],
        },
      ],
    },
  },
);
