/* eslint-disable no-restricted-imports -- this file runs in Node (the test side), not in the page. */
/**
 * Component tests in a real browser: builds the harness page (harness.tsx)
 * with Vite once per test process, opens it in Debian's Chromium through
 * playwright-core (files served by request interception, no server), and
 * gives typed access to the fake API behind it.
 *
 * Why this way: node:test cannot load .tsx, and a real browser is what the
 * app runs in (native <dialog>, focus, keyboard, layout), with no extra
 * dependencies: Vite and playwright-core are already the project's.
 */
import { existsSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { build } from 'vite';
import type { ApiEvent, ApiEvents, ApiMethod, ParamsOf } from '../../shared/api/contract.ts';
import type { HarnessView, Reply } from './control.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.resolve(HERE, '..', '..', '..', 'test-results');
const ORIGIN = 'http://harness.dvom.test';
export const CHROMIUM = '/usr/bin/chromium';

/** Why these tests cannot run here, or undefined. */
export function harnessSkipReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (install it with: apt-get install chromium)`;
}

/** Debian's Chromium, headless, as every component test runs it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface BuildOptions {
  /** The page's HTML file in `root`. */
  page?: string;
  /** Development React, whose warnings (keys, hooks, nesting) a test can catch. */
  development?: boolean;
}

const builds = new Map<string, Promise<string>>();

/** Builds the harness page in `root` with Vite into a temporary folder (once per process); returns the folder. */
export function buildHarnessPage(root: string, { page = 'index.html', development = false }: BuildOptions = {}): Promise<string> {
  let built = builds.get(root);
  if (!built) {
    built = (async () => {
      const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-harness-'));
      process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
      await build({
        configFile: false,
        root,
        base: './',
        publicDir: false,
        logLevel: 'error',
        plugins: [react()],
        ...(development ? { mode: 'development', define: { 'process.env.NODE_ENV': JSON.stringify('development') } } : {}),
        build: {
          outDir,
          emptyOutDir: true,
          target: 'chrome120',
          minify: false,
          reportCompressedSize: false,
          assetsInlineLimit: 0,
          rollupOptions: { input: path.join(root, page) },
        },
      });
      return outDir;
    })();
    builds.set(root, built);
  }
  return built;
}

/** Serves the built folder `dir` to the pages of `context` at `origin`, by request interception: no server, no port. */
export async function serveBuilt(context: BrowserContext, origin: string, dir: string, page = 'index.html'): Promise<void> {
  await context.route(`${origin}/**`, async (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/+/, '') || page;
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ path: file });
  });
}

export interface Harness {
  /**
   * A page with `view` mounted over a fresh fake API and fresh stores. It is
   * the same browser page each time (a reset, not a reload: fast); with
   * `options` (e.g. a dark colour scheme) it is a new page of its own.
   */
  open(view: HarnessView, options?: OpenOptions): Promise<HarnessPage>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Runs after the reset and before the view mounts: set the fake API's replies here. */
  before?: (h: HarnessPage) => Promise<void>;
  /** A page of its own with these browser options (e.g. colorScheme: 'dark'). */
  context?: BrowserContextOptions;
}

const VIEWPORT = { width: 1000, height: 760 };

export async function startHarness(): Promise<Harness> {
  const [dir, browser] = await Promise.all([buildHarnessPage(HERE), launchChromium()]);

  async function newPage(options: BrowserContextOptions): Promise<HarnessPage> {
    const context = await browser.newContext({ viewport: VIEWPORT, reducedMotion: 'reduce', ...options });
    await serveBuilt(context, ORIGIN, dir);
    const page = await context.newPage();
    // Everything here is local and quick: fail fast instead of after Playwright's 30 s.
    page.setDefaultTimeout(5_000);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${ORIGIN}/index.html`);
    await page.waitForFunction(() => document.documentElement.dataset.harness === 'ready');
    return new HarnessPage(page, errors);
  }

  let shared: Promise<HarnessPage> | undefined;
  return {
    async open(view, options = {}) {
      let h: HarnessPage;
      if (options.context) {
        h = await newPage(options.context);
        h.own = true;
      } else {
        shared ??= newPage({});
        h = await shared;
        await h.page.evaluate(() => window.harness.reset());
        await h.page.keyboard.up('Shift');
        await h.page.mouse.move(0, 0);
        h.errors.length = 0;
      }
      await options.before?.(h);
      await h.mount(view);
      return h;
    },
    async close() {
      await browser.close();
    },
  };
}

/** One harness page: the Playwright page plus typed control of its fake API. */
export class HarnessPage {
  readonly page: Page;
  /** Uncaught errors in the page (a test should end with none). */
  readonly errors: string[];

  constructor(page: Page, errors: string[]) {
    this.page = page;
    this.errors = errors;
  }

  mount(view: HarnessView): Promise<void> {
    return this.page.evaluate((v) => window.harness.mount(v), view);
  }

  reply<M extends ApiMethod>(method: M, reply: Reply<M>): Promise<void> {
    return this.page.evaluate(([m, r]) => window.harness.reply(m, r as never), [method, reply] as const);
  }

  replyOnce<M extends ApiMethod>(method: M, reply: Reply<M>): Promise<void> {
    return this.page.evaluate(([m, r]) => window.harness.replyOnce(m, r as never), [method, reply] as const);
  }

  release<M extends ApiMethod>(method: M, reply: Exclude<Reply<M>, { pending: true }>): Promise<boolean> {
    return this.page.evaluate(([m, r]) => window.harness.release(m, r as never), [method, reply] as const);
  }

  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): Promise<void> {
    return this.page.evaluate(([e, p]) => window.harness.emit(e, p as never), [event, payload] as const);
  }

  /** The params of every call of `method` so far. */
  async calls<M extends ApiMethod>(method: M): Promise<ParamsOf<M>[]> {
    const all = await this.page.evaluate(() => window.harness.calls());
    return all.filter((c) => c.method === method).map((c) => c.params as ParamsOf<M>);
  }

  navigation(): Promise<{ page: string; intent: unknown }> {
    return this.page.evaluate(() => window.harness.navigation());
  }

  closes(): Promise<number> {
    return this.page.evaluate(() => window.harness.closes());
  }

  /** Saves a screenshot to test-results/NAME (to look at). */
  async screenshot(name: string): Promise<void> {
    await fs.mkdir(RESULTS_DIR, { recursive: true });
    await this.page.screenshot({ path: path.join(RESULTS_DIR, name) });
  }

  /** Name of the element that has focus, for focus assertions. */
  focused(): Promise<string> {
    return this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return 'body';
      const labelled = el.getAttribute('aria-label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null);
      return `${el.tagName.toLowerCase()}:${(labelled ?? el.textContent ?? '').trim()}`;
    });
  }

  /** Set on a page of its own (closed by close()); the shared page stays open for the next test. */
  own = false;

  async close(): Promise<void> {
    if (this.own) await this.page.context().close();
    else await this.page.evaluate(() => window.harness.reset());
  }
}
