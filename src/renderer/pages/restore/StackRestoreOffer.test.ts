/* eslint-disable no-restricted-imports -- runs in Node: it drives the page in Chromium. */
/**
 * The restore wizard offers a version of a whole Compose stack as one
 * restore (jobs.startStackRestore), from its first step, beside the choice
 * of one volume of the version.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ago, backup, job, version, volume } from '../../../../test/renderer-harness/backup-fixtures.ts';
import { FakeApi, type Replies } from '../../../../test/renderer-harness/fake-api.ts';
import { type Harness, type HarnessPage, harnessSkipReason, RESULTS_DIR, startHarness } from '../../../../test/renderer-harness/harness.ts';

const skip = harnessSkipReason();
const JOB = 'job-0000000000bb';
const V = version('20261201T020000Z-cccc', { createdAt: ago(60), volumes: ['shop_db', 'shop_files'] });
const SHOTS = RESULTS_DIR;

function replies(): Replies {
  return {
    'backups.list': [{ result: [backup('shop', { encrypted: false, latest: V, volumes: ['shop_db', 'shop_files'] })] }],
    'backups.versions': [{ result: [V] }],
    'secrets.hasPassword': [{ result: { remembered: false } }],
    'volumes.list': [{ result: [volume('shop_db', { stack: 'shop', size: 10 }), volume('shop_files', { stack: 'shop', size: 10 }), volume('other', { size: 0 })] }],
    'jobs.startStackRestore': [{ result: { jobId: JOB } }],
    'jobs.list': [{ result: [job(JOB, { kind: 'restore' })] }],
  };
}

if (skip) it('the restore wizard: a whole stack (component tests)', { skip }, () => undefined);
else
  describe('the restore wizard: a whole stack (component tests)', () => {
    let harness: Harness;
    before(async () => {
      harness = await startHarness({ development: true });
    });
    after(async () => {
      await harness?.close();
    });

    for (const [size, scheme] of [
      [{ width: 1280, height: 800 }, 'light'],
      [{ width: 800, height: 600 }, 'dark'],
    ] as const) {
      it(`offers the stack of a version's volumes and starts a stack restore (${size.width}x${size.height}, ${scheme})`, async () => {
        const h: HarnessPage = await harness.open(
          { view: 'app' },
          { fake: new FakeApi(replies()), context: { viewport: size, colorScheme: scheme } },
        );
        try {
          await h.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Restore' }).click();
          await h.page.getByLabel('Backup', { exact: true }).selectOption('shop');
          await h.page.locator(`input[type=radio][value="${V.id}"]`).check();
          const offer = h.page.getByRole('region', { name: 'Restore stack shop' });
          await offer.waitFor();
          assert.match(await offer.innerText(), /shop_db, shop_files/);
          await offer.getByRole('checkbox', { name: 'Replace what these volumes hold now' }).check();
          await fs.mkdir(SHOTS, { recursive: true });
          await offer.scrollIntoViewIfNeeded();
          await h.page.screenshot({ path: path.join(SHOTS, `restore-stack-${size.width}x${size.height}-${scheme}.png`) });
          await offer.getByRole('button', { name: 'Restore stack shop' }).click();
          await h.page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor();
          assert.deepEqual(await h.calls('jobs.startStackRestore'), [{ backup: 'shop', version: V.id, stack: 'shop', force: true }]);
          assert.deepEqual(await h.calls('jobs.startRestore'), []);
        } finally {
          await h.close();
        }
      });
    }

    it('offers nothing for a version of one volume or of volumes of no stack', async () => {
      const fake = new FakeApi({ ...replies(), 'volumes.list': [{ result: [volume('shop_db', { size: 10 }), volume('shop_files', { size: 10 })] }] });
      const h = await harness.open({ view: 'app' }, { fake });
      try {
        await h.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Restore' }).click();
        await h.page.getByLabel('Backup', { exact: true }).selectOption('shop');
        await h.page.locator(`input[type=radio][value="${V.id}"]`).check();
        await h.page.getByLabel('Volume in this version').waitFor();
        assert.equal(await h.page.getByRole('region', { name: /Restore stack/ }).count(), 0);
      } finally {
        await h.close();
      }
    });
  });
