/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * The Volumes page's header line names the Docker engine in use (app.info's
 * `engine`), not only Settings. In the whole app, at 1280×800 and 800×600,
 * light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { volume } from '../../../../test/renderer-harness/fixtures.ts';
import { EMPTY_ENGINE, FakeApi } from '../../../../test/renderer-harness/fake-api.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

describeInHarness('Volumes: the header names the engine (app, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`says "on engine colima" (${size}, ${colorScheme})`, async () => {
        const fake = new FakeApi({
          ...EMPTY_ENGINE,
          'app.info': [
            {
              result: {
                version: '0.0.0-test',
                storeLocation: '/var/lib/dvom/backups',
                dockerHost: 'unix:///home/me/.colima/docker.sock',
                engine: { name: 'colima', host: 'unix:///home/me/.colima/docker.sock', source: 'dvom-config' },
                keychain: 'test keychain',
              },
            },
          ],
          'volumes.list': [{ result: [volume({ name: 'pgdata' })] }],
        });
        const h = await harness.open({ view: 'app' }, { fake, context: { colorScheme, viewport } });
        try {
          const header = h.page.locator('.page-header');
          await header.getByText('The Docker volumes on engine colima, grouped by Compose stack, and when each was last backed up.', { exact: true }).waitFor();
          assert.equal(await header.getByRole('heading', { level: 1 }).textContent(), 'Volumes');
          await h.screenshot(`glue-volumes-engine-${size}-${colorScheme}.png`);
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }

  it('without an answer from app.info it still says "this engine"', async () => {
    const fake = new FakeApi({ ...EMPTY_ENGINE, 'app.info': [{ error: { code: 'INTERNAL', message: 'no info' } }], 'volumes.list': [{ result: [volume({ name: 'pgdata' })] }] });
    const h = await harness.open({ view: 'app' }, { fake });
    try {
      await h.page.getByRole('button', { name: 'Back up pgdata' }).waitFor();
      assert.equal(await h.page.locator('.page-header p.muted').textContent(), 'The Docker volumes on this engine, grouped by Compose stack, and when each was last backed up.');
    } finally {
      await h.close();
    }
  });
});
