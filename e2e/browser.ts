/**
 * Shared bits of the UI end-to-end tests: where things are, Debian's
 * Chromium through playwright-core, an in-memory keychain, and a running
 * `dvom serve` server in this process.
 */
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { DvomApp } from '../src/main/app/dvom-app.ts';
import type { StoreSelection } from '../src/main/config/open-store.ts';
import type { SecretKind, SecretStore } from '../src/main/secrets/secret-store.ts';
import { startServeServer, type RunningServer } from '../src/main/serve/serve-server.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RENDERER_DIR = path.join(REPO_ROOT, 'dist', 'renderer');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const CHROMIUM = '/usr/bin/chromium';

/** Why Chromium cannot run here, or undefined. */
export function chromiumSkipReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install it with: apt-get install chromium)`;
}

/** Fails with a clear message when the renderer has not been built. */
export function requireBuiltRenderer(): void {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`the UI is not built (${path.join(RENDERER_DIR, 'index.html')} is missing): run npm run build first`);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A keychain that lives in memory, for tests. */
export class MemorySecretStore implements SecretStore {
  readonly name = 'test keychain';
  private readonly secrets = new Map<string, string>();

  async get(kind: SecretKind, name: string): Promise<string | undefined> {
    return this.secrets.get(`${kind}:${name}`);
  }

  async set(kind: SecretKind, name: string, secret: string): Promise<void> {
    this.secrets.set(`${kind}:${name}`, secret);
  }

  async delete(kind: SecretKind, name: string): Promise<boolean> {
    return this.secrets.delete(`${kind}:${name}`);
  }
}

/** Starts `dvom serve` in this process on a free port, over the given store. */
export async function startServer(storeSelection: StoreSelection): Promise<{ app: DvomApp; server: RunningServer; stop(): Promise<void> }> {
  const app = new DvomApp({ secrets: new MemorySecretStore(), storeSelection });
  const server = await startServeServer({ app, rendererDir: RENDERER_DIR });
  return {
    app,
    server,
    async stop() {
      await app.shutdown();
      await server.close();
    },
  };
}

export async function screenshotPath(name: string): Promise<string> {
  await fs.mkdir(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, name);
}
