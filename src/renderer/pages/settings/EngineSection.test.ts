/* eslint-disable no-restricted-imports -- this file is a Node test: it builds the page with Vite and drives it in Chromium. */
/**
 * Component tests of the Docker engine switcher of Settings (EngineSection):
 * it shows the engine in use and why, lists the docker CLI's contexts, and
 * switches through engines.select; a failed switch says why and changes
 * nothing. Screenshots at 1280×800 and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { ApiError } from '../../../shared/api/client.ts';
import type { AppInfo, EngineChoiceDto } from '../../../shared/api/dto.ts';
import { EMPTY_ENGINE, FakeApi } from '../../../../test/renderer-harness/fake-api.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHOTS = path.resolve(HERE, '..', '..', '..', '..', 'test-results', 'engines');
const LOCAL = 'unix:///var/run/docker.sock';
const NAS = 'tcp://nas.example.lan:2376';

/** An engine with two contexts; `engines.select` switches `current` like the real handler. */
function fakeEngines(selectFails = false) {
  const fake = new FakeApi(EMPTY_ENGINE);
  let current: { name: string; host: string; source: AppInfo['engine']['source'] } = { name: 'default', host: LOCAL, source: 'built-in' };
  const list = (): EngineChoiceDto[] => [
    { name: 'default', host: LOCAL, description: 'the local Docker engine', current: current.name === 'default' },
    { name: 'nas', host: NAS, current: current.name === 'nas' },
  ];
  fake.reply('app.info', { handle: () => ({ version: '0.1.0', storeLocation: '/var/lib/dvom', dockerHost: current.host, engine: current, keychain: 'test keychain' }) });
  fake.reply('engines.list', { handle: list });
  fake.reply('engines.select', {
    handle: ({ name }) => {
      if (selectFails) throw new ApiError({ code: 'DOCKER_UNAVAILABLE', message: `cannot reach the Docker engine at ${NAS} (context ${name}) (connect ECONNREFUSED); check that the engine at ${NAS} is running and reachable` });
      current = { name, host: NAS, source: 'flag' };
      return current;
    },
  });
  return fake;
}

describeInHarness('the Docker engine switcher (component tests in Chromium)', (harness) => {

  async function withSettings(fake: FakeApi, run: (page: Page) => Promise<void>, options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {}) {
    const { page, errors } = await harness.open(
      { view: 'settings' },
      { fake, context: { viewport: { width: options.width ?? 1280, height: options.height ?? 800 }, colorScheme: options.colorScheme ?? 'light' } },
    );
    try {
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      await run(page);
      assert.deepEqual(errors, [], 'no uncaught errors in the page');
    } finally {
      await page.context().close();
    }
  }

  const section = (page: Page) => page.getByRole('region', { name: 'Docker engine' });
  const words = async (page: Page) => (await section(page).innerText()).replace(/\s+/g, ' ').trim();

  async function shot(page: Page, name: string): Promise<void> {
    await fs.mkdir(SHOTS, { recursive: true });
    await section(page).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, name) });
  }

  it('shows the engine in use and why, and lists the contexts to switch to', async () => {
    const fake = fakeEngines();
    await withSettings(fake, async (page) => {
      const engine = page.getByRole('combobox', { name: 'Engine' });
      await page.getByRole('option', { name: `nas — ${NAS}` }).waitFor({ state: 'attached' });
      assert.equal(await engine.inputValue(), 'default');
      assert.match(await words(page), new RegExp(`In use: default ${LOCAL} \\(the local Docker engine\\)`));
      assert.equal(await page.getByRole('button', { name: 'Use this engine' }).isDisabled(), true, 'nothing to switch to yet');
    });
  });

  it('switches to another engine: engines.select, then the note shows the new one', async () => {
    const fake = fakeEngines();
    await withSettings(fake, async (page) => {
      await page.getByRole('option', { name: `nas — ${NAS}` }).waitFor({ state: 'attached' });
      await page.getByRole('combobox', { name: 'Engine' }).selectOption('nas');
      await page.getByRole('button', { name: 'Use this engine' }).click();
      await section(page).getByText(`In use: nas ${NAS}`, { exact: false }).waitFor();
      assert.deepEqual(fake.callsOf('engines.select'), [{ name: 'nas' }]);
      assert.match(await words(page), /\(picked for this session\)/);
      assert.equal(await page.getByRole('button', { name: 'Use this engine' }).isDisabled(), true);
    });
  });

  it('a switch that fails says why and leaves the engine as it was', async () => {
    const fake = fakeEngines(true);
    await withSettings(fake, async (page) => {
      await page.getByRole('option', { name: `nas — ${NAS}` }).waitFor({ state: 'attached' });
      await page.getByRole('combobox', { name: 'Engine' }).selectOption('nas');
      await page.getByRole('button', { name: 'Use this engine' }).click();
      const alert = section(page).getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /Cannot reach the Docker engine at tcp:\/\/nas\.example\.lan:2376/);
      assert.match(await words(page), new RegExp(`In use: default ${LOCAL}`));
    });
  });

  for (const [width, height] of [[1280, 800], [800, 600]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`reads well at ${width}×${height}, ${colorScheme}`, async () => {
        await withSettings(fakeEngines(true), async (page) => {
          await page.getByRole('option', { name: `nas — ${NAS}` }).waitFor({ state: 'attached' });
          await page.getByRole('combobox', { name: 'Engine' }).selectOption('nas');
          await page.getByRole('button', { name: 'Use this engine' }).click();
          await section(page).getByRole('alert').waitFor();
          // Nothing of the section is cut off or pushed past the window's width.
          const overflow = await section(page).evaluate((el) => el.scrollWidth - el.clientWidth);
          assert.ok(overflow <= 0, `the section overflows by ${overflow} px`);
          await shot(page, `engine-section-${width}x${height}-${colorScheme}.png`);
        }, { width, height, colorScheme });
      });
    }
  }
});
