/* eslint-disable no-restricted-imports -- the Node side of the component tests: it builds the harness and drives Chromium. */
/// <reference types="node" />
/**
 * Component tests without a DOM emulator: the harness page (harness.tsx, the
 * real components over a FakeTransport) is built once per test file with
 * Vite into a temporary folder and opened in Debian's Chromium through
 * playwright-core. Files are served by request interception, so no server
 * or port is involved.
 */
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { ApiEvent, ApiEvents, ApiMethod } from '../../../../shared/api/contract.ts';
import type { FakeReply, FakeScenario, HarnessWindow } from './fake-transport.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ORIGIN = 'http://harness.test';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Why these tests cannot run here, or undefined. */
export function harnessSkipReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install it with: apt-get install chromium)`;
}

export interface Harness {
  browser: Browser;
  /** Opens the harness page on a scenario. */
  open(scenario: FakeScenario, options?: { colorScheme?: 'light' | 'dark'; width?: number; height?: number }): Promise<HarnessPage>;
  close(): Promise<void>;
}

export interface HarnessPage {
  page: Page;
  /** The params of every call of a method so far. */
  calls(method: ApiMethod): Promise<unknown[]>;
  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): Promise<void>;
  /** Adds answers for later calls, ahead of the scenario's. */
  prepend<M extends ApiMethod>(method: M, ...replies: FakeReply<M>[]): Promise<void>;
  /** Console errors and uncaught exceptions of the page (React warnings included). */
  errors: string[];
  close(): Promise<void>;
}

async function build(outDir: string): Promise<void> {
  const [{ build: viteBuild }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await viteBuild({
    configFile: false,
    root: HERE,
    base: './',
    publicDir: false,
    logLevel: 'warn',
    plugins: [react()],
    // Development React: its warnings (keys, hooks, nesting) fail the tests.
    mode: 'development',
    define: { 'process.env.NODE_ENV': JSON.stringify('development') },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'chrome120',
      minify: false,
      sourcemap: false,
      reportCompressedSize: false,
      rollupOptions: { input: path.join(HERE, 'harness.html') },
    },
  });
}

/** Builds the harness and starts Chromium. */
export async function startHarness(): Promise<Harness> {
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-harness-'));
  await build(outDir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const contexts = new Set<BrowserContext>();

  async function open(scenario: FakeScenario, options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}): Promise<HarnessPage> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1000, height: options.height ?? 760 },
      colorScheme: options.colorScheme ?? 'light',
      reducedMotion: 'reduce',
    });
    contexts.add(context);
    await context.route(`${ORIGIN}/**`, async (route) => {
      const rel = decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/+/, '') || 'harness.html';
      const file = path.join(outDir, rel);
      if (!file.startsWith(outDir + path.sep) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({ status: 200, body: await fs.readFile(file), contentType: TYPES[path.extname(file)] ?? 'application/octet-stream' });
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.addInitScript((s) => {
      (window as unknown as HarnessWindow).dvomScenario = s;
    }, scenario);
    await page.goto(`${ORIGIN}/harness.html`);
    const fake = () => page.evaluateHandle(() => (window as unknown as HarnessWindow).dvomFake!);
    return {
      page,
      errors,
      async calls(method) {
        return (await fake()).evaluate((f, m) => f.callsOf(m), method);
      },
      async emit(event, payload) {
        await (await fake()).evaluate((f, [e, p]) => f.emit(e, p as never), [event, payload] as const);
      },
      async prepend(method, ...replies) {
        await (await fake()).evaluate((f, [m, r]) => f.prepend(m, ...(r as never[])), [method, replies] as const);
      },
      async close() {
        contexts.delete(context);
        await context.close();
      },
    };
  }

  return {
    browser,
    open,
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await fs.rm(outDir, { recursive: true, force: true });
    },
  };
}
