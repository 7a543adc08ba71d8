/* eslint-disable no-restricted-imports -- the Node side of the component tests: it builds the harness and drives Chromium. */
/// <reference types="node" />
/**
 * Component tests without a DOM emulator: the harness page (harness.tsx, the
 * real components over a FakeTransport) is built once per test file with
 * Vite into a temporary folder and opened in Debian's Chromium through
 * playwright-core. Files are served by request interception, so no server
 * or port is involved.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ApiEvent, ApiEvents, ApiMethod } from '../../../../shared/api/contract.ts';
import { buildHarnessPage, launchChromium, serveBuilt } from '../../../test-harness/harness-runner.ts';
import type { FakeReply, FakeScenario, HarnessWindow } from './fake-transport.ts';

export { harnessSkipReason } from '../../../test-harness/harness-runner.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ORIGIN = 'http://harness.test';

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

/** Builds the harness and starts Chromium. */
export async function startHarness(): Promise<Harness> {
  // Development React: its warnings (keys, hooks, nesting) fail the tests.
  const outDir = await buildHarnessPage(HERE, { page: 'harness.html', development: true });
  const browser = await launchChromium();
  const contexts = new Set<BrowserContext>();

  async function open(scenario: FakeScenario, options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}): Promise<HarnessPage> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1000, height: options.height ?? 760 },
      colorScheme: options.colorScheme ?? 'light',
      reducedMotion: 'reduce',
    });
    contexts.add(context);
    await serveBuilt(context, ORIGIN, outDir, 'harness.html');
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
    },
  };
}
