/**
 * Component tests in a real browser: builds the harness page (page/) with
 * Vite once per test process, opens it in Debian's Chromium through
 * playwright-core (files served by request interception, no server), and
 * answers its API calls from a FakeApi here in the test.
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
import type { ApiEvent, ApiEvents, ApiMethod, ParamsOf } from '../../src/shared/api/contract.ts';
import type { ApiErrorShape } from '../../src/shared/api/dto.ts';
import { INVOKE_BINDING, type BridgeReply, type HarnessView } from './contract.ts';
import { FakeApi, type Reply, type Settled } from './fake-api.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = path.join(HERE, 'page');
/** Where tests put screenshots to look at (never part of the build). */
export const RESULTS_DIR = path.resolve(HERE, '..', '..', 'test-results');
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

const builds = new Map<boolean, Promise<string>>();

/** Builds the harness page with Vite into a temporary folder (once per process and mode); returns the folder. */
function buildHarnessPage(development: boolean): Promise<string> {
  let built = builds.get(development);
  if (!built) {
    built = (async () => {
      const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-harness-'));
      process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
      await build({
        configFile: false,
        root: PAGE_DIR,
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
          rollupOptions: { input: path.join(PAGE_DIR, 'index.html') },
        },
      });
      return outDir;
    })();
    builds.set(development, built);
  }
  return built;
}

/** Serves the built folder `dir` to the pages of `context` at ORIGIN, by request interception: no server, no port. */
async function serveBuilt(context: BrowserContext, dir: string): Promise<void> {
  await context.route(`${ORIGIN}/**`, async (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ path: file });
  });
}

export interface StartOptions {
  /** Development React, whose warnings (keys, hooks, nesting) land in `errors`. */
  development?: boolean;
  /** How long an action or wait may take before it fails (Playwright's own default when absent). */
  timeoutMs?: number;
}

export interface OpenOptions {
  /** The engine behind the page; a new FakeApi (an empty engine) when absent. */
  fake?: FakeApi;
  /** Sets the fake's replies before the view mounts (on a page of its own: before the page loads). */
  before?: (h: HarnessPage) => Promise<void>;
  /** A page of its own with these browser options (e.g. colorScheme: 'dark'), over a 1000×760 window with reduced motion. */
  context?: BrowserContextOptions;
}

export interface Harness {
  /**
   * A page with `view` mounted over a fake API and fresh stores. Without
   * `options.context` it is the same browser page each time (a reset, not a
   * reload: fast); with it, a page of its own.
   */
  open(view: HarnessView, options?: OpenOptions): Promise<HarnessPage>;
  close(): Promise<void>;
}

const VIEWPORT = { width: 1000, height: 760 };

export async function startHarness({ development = false, timeoutMs }: StartOptions = {}): Promise<Harness> {
  const [dir, browser] = await Promise.all([buildHarnessPage(development), launchChromium()]);

  async function newPage(options: BrowserContextOptions, fake: FakeApi, view?: HarnessView, before?: OpenOptions['before']): Promise<HarnessPage> {
    const context = await browser.newContext({ viewport: VIEWPORT, reducedMotion: 'reduce', ...options });
    await serveBuilt(context, dir);
    const page = await context.newPage();
    if (timeoutMs) page.setDefaultTimeout(timeoutMs);
    const h = new HarnessPage(page, fake, timeoutMs);
    await page.exposeFunction(INVOKE_BINDING, (generation: number, method: string, params: unknown) => h.answer(generation, method, params));
    // The fake lives here: its replies can be set before the page loads.
    await before?.(h);
    if (view) await page.addInitScript((v) => (window.harnessView = v), view);
    await page.goto(`${ORIGIN}/index.html`);
    await page.waitForFunction(() => document.documentElement.dataset.harness === 'ready');
    return h;
  }

  let shared: Promise<HarnessPage> | undefined;
  return {
    async open(view, options = {}) {
      const fake = options.fake ?? new FakeApi();
      if (options.context) {
        const h = await newPage(options.context, fake, view, options.before);
        h.own = true;
        return h;
      }
      shared ??= newPage({}, new FakeApi());
      const h = await shared;
      await h.reset(fake);
      await h.page.keyboard.up('Shift');
      await h.page.mouse.move(0, 0);
      h.errors.length = 0;
      await options.before?.(h);
      await h.mount(view);
      return h;
    },
    async close() {
      await browser.close();
    },
  };
}

/** One harness page: the Playwright page and the fake API behind it. */
export class HarnessPage {
  readonly page: Page;
  /** Uncaught errors and console errors in the page (a test should end with none). */
  readonly errors: string[] = [];
  /** Set on a page of its own (closed by close()); the shared page stays open for the next test. */
  own = false;
  /** The fake of each generation of the page (a reset starts a new one). */
  private readonly fakes = new Map<number, FakeApi>();
  private generation = 0;

  private readonly timeoutMs: number;

  constructor(page: Page, fake: FakeApi, timeoutMs = 30_000) {
    this.page = page;
    this.timeoutMs = timeoutMs;
    page.on('pageerror', (err) => this.errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.errors.push(msg.text());
    });
    this.attach(0, fake);
  }

  /** The fake API answering the page now. */
  get fake(): FakeApi {
    return this.fakes.get(this.generation)!;
  }

  /** Answers a call of the page (through the binding) from the fake of its generation. */
  async answer(generation: number, method: string, params: unknown): Promise<BridgeReply> {
    try {
      return { ok: true, result: await (this.fakes.get(generation) ?? this.fake).invoke(method, params) };
    } catch (err) {
      // FakeApi.invoke rejects with the error's shape, as a transport does.
      return { ok: false, error: err as ApiErrorShape };
    }
  }

  /** Unmounts, and starts over with `fake` and every store as it was at load. */
  async reset(fake: FakeApi): Promise<void> {
    this.attach(await this.page.evaluate(() => window.harness.reset()), fake);
  }

  mount(view: HarnessView): Promise<void> {
    return this.page.evaluate((v) => window.harness.mount(v), view);
  }

  async reply<M extends ApiMethod>(method: M, reply: Reply<M>): Promise<void> {
    this.fake.reply(method, reply);
  }

  async replyOnce<M extends ApiMethod>(method: M, reply: Reply<M>): Promise<void> {
    this.fake.replyOnce(method, reply);
  }

  async prepend<M extends ApiMethod>(method: M, ...replies: Reply<M>[]): Promise<void> {
    this.fake.prepend(method, ...replies);
  }

  /** Answers the oldest pending call of `method` (once every call the page has made has come in); false when none is pending. */
  async release<M extends ApiMethod>(method: M, reply: Settled<M>): Promise<boolean> {
    await this.settle();
    return this.fake.release(method, reply);
  }

  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): Promise<void> {
    return this.fake.emit(event, payload);
  }

  /** The params of every call of `method` the page has made so far. */
  async calls<M extends ApiMethod>(method: M): Promise<ParamsOf<M>[]> {
    await this.settle();
    return this.fake.callsOf(method);
  }

  /** Waits until the calls of `method` pass `test` (failing after the page's timeout, like Playwright's waits). */
  waitForCalls<M extends ApiMethod>(method: M, test: (calls: ParamsOf<M>[]) => boolean): Promise<void> {
    return this.within(this.fake.callsPass(method, test), `the calls of ${method} did not pass the test`);
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

  async close(): Promise<void> {
    if (this.own) await this.page.context().close();
    else await this.page.evaluate(() => window.harness.reset());
  }

  /** Calls cross from the page to the fake asynchronously: wait until every call the page has sent has come in. */
  private async settle(): Promise<void> {
    const sent = await this.page.evaluate(() => window.harness.sent());
    await this.within(this.fake.received(sent), `the page sent ${sent} calls; the fake API did not receive them all`);
  }

  private async within(done: Promise<void>, failure: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${failure} in ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private attach(generation: number, fake: FakeApi): void {
    this.generation = generation;
    this.fakes.set(generation, fake);
    fake.subscribe((event, payload) => this.page.evaluate(([g, e, p]) => window.harness.deliver(g, e, p), [generation, event, payload] as const));
  }
}
