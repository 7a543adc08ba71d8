/* eslint-disable no-restricted-imports -- runs in Node: it drives the page in Chromium. */
/**
 * The versions panel names the Docker engine each version came from (one
 * muted line under its id, the whole endpoint in the tooltip), and nothing
 * when it is not known (an encrypted backup listed without its password, or
 * a version written before engines were recorded). Screenshots at 1280×800
 * and 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ago, backup, version } from '../../../../test/renderer-harness/backup-fixtures.ts';
import { FakeApi, type Replies } from '../../../../test/renderer-harness/fake-api.ts';
import { harnessSkipReason, startHarness, type Harness } from '../../../../test/renderer-harness/harness.ts';

const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'test-results', 'engines');
const HOST = 'unix:///home/ada/.docker/desktop/docker.sock';
const FROM_NAS = version('20250301T120000Z-bbbb', { createdAt: ago(5), engine: { name: 'desktop-linux', host: HOST } });
const UNKNOWN = version('20250201T120000Z-aaaa', { createdAt: ago(60 * 24 * 30), engine: null });

const replies: Replies = {
  'backups.list': [{ result: [backup('nightly', { encrypted: true, versions: 2, latest: FROM_NAS })] }],
  'backups.versions': [{ result: [FROM_NAS, UNKNOWN] }],
  'jobs.list': [{ result: [] }],
};

const skip = harnessSkipReason();
if (skip) it('the engine of each version (component tests)', { skip }, () => undefined);
else
  describe('the engine of each version (component tests)', () => {
    let harness: Harness;
    before(async () => {
      harness = await startHarness();
    });
    after(async () => {
      await harness?.close();
    });

    for (const [width, height] of [[1280, 800], [800, 600]] as const) {
      for (const colorScheme of ['light', 'dark'] as const) {
        it(`shows it under the version's id at ${width}×${height}, ${colorScheme}`, async () => {
          const h = await harness.open({ view: 'pages', page: 'backups' }, { fake: new FakeApi(replies), context: { viewport: { width, height }, colorScheme } });
          try {
            await h.page.getByRole('button', { name: 'nightly', exact: true }).click();
            const table = h.page.getByRole('table', { name: 'Versions of nightly' });
            await table.waitFor();
            const rows = table.getByRole('row');
            const first = rows.filter({ hasText: 'bbbb' });
            const line = first.getByText('Engine desktop-linux', { exact: false });
            assert.equal((await line.innerText()).trim(), `Engine desktop-linux · ${HOST}`);
            assert.equal(await line.getAttribute('title'), `Backed up from the Docker engine desktop-linux at ${HOST}`);
            assert.equal(await rows.filter({ hasText: 'aaaa' }).getByText('Engine', { exact: false }).count(), 0, 'nothing when not known');
            // One line, cut short inside its cell rather than widening the column.
            const box = await line.boundingBox();
            assert.ok(box && box.height < 24, `one line (${box?.height} px)`);
            const fits = await line.evaluate((el) => el.getBoundingClientRect().right <= el.closest('th')!.getBoundingClientRect().right);
            assert.ok(fits, 'the line stays inside its cell');
            await fs.mkdir(SHOTS, { recursive: true });
            await table.scrollIntoViewIfNeeded();
            await h.page.screenshot({ path: path.join(SHOTS, `versions-engine-${width}x${height}-${colorScheme}.png`) });
          } finally {
            await h.close();
          }
        });
      }
    }
  });
