/* eslint-disable no-restricted-imports -- runs in Node: it drives the page in Chromium. */
/**
 * Storage targets as the app shows them (issue 14), over a fake engine in
 * Chromium at 1280×800 and 800×600, light and dark: the target picker of the
 * Backups page (the default store first; another target's backups, versions
 * and jobs; a target that cannot be read hides nothing of the others), a
 * restore from a second target through the wizard, and the Volumes page's
 * last backup per target.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { BrowserContextOptions } from 'playwright-core';
import type { BackupDto, TargetDto } from '../../shared/api/dto.ts';
import { ago, backup, version, volume } from '../../../test/renderer-harness/backup-fixtures.ts';
import { EMPTY_ENGINE, FakeApi, type Replies } from '../../../test/renderer-harness/fake-api.ts';
import { harnessSkipReason, startHarness, type Harness, type HarnessPage } from '../../../test/renderer-harness/harness.ts';
import type { HarnessView } from '../../../test/renderer-harness/contract.ts';

const skip = harnessSkipReason();
const SHOTS = process.env.DVOM_SHOTS_DIR ?? 'test-results';

const TARGETS: TargetDto[] = [
  { name: 'nas', type: 'local', location: '/mnt/nas/dvom', isDefault: false, settings: { path: '/mnt/nas/dvom' } },
  { name: 's3-offsite', type: 's3', location: 's3://dvom-offsite/ at https://s3.example.net', isDefault: false, settings: { bucket: 'dvom-offsite' } },
];
const V_HOME = version('20250301T120000Z-aaaa', { createdAt: ago(60 * 24 * 3), volumes: ['ux-wp'] });
const V_AWAY = version('20250302T120000Z-bbbb', { createdAt: ago(120), volumes: ['ux-wp'] });
const HOME: BackupDto[] = [backup('nightly', { latest: V_HOME, volumes: ['ux-wp'] })];
const AWAY: BackupDto[] = [backup('ux-wp', { latest: V_AWAY, volumes: ['ux-wp'], versions: 1 })];
const OFFLINE = { code: 'ERROR', message: 'cannot reach /mnt/nas/dvom: the share is not mounted' } as const;

function engine(extra: Replies = {}): Replies {
  return {
    'app.info': EMPTY_ENGINE['app.info']!,
    'targets.list': [{ result: TARGETS }],
    'backups.list': [{ when: { target: 's3-offsite' }, result: AWAY }, { when: { target: 'nas' }, error: OFFLINE }, { result: HOME }],
    'backups.versions': [{ when: { target: 's3-offsite' }, result: [V_AWAY] }, { result: [V_HOME] }],
    'jobs.startVerify': [{ result: { jobId: 'job-0000000000b1' } }],
    'jobs.startRestore': [{ result: { jobId: 'job-0000000000b2' } }],
    'volumes.list': [{ result: [volume('ux-wp', { size: 0 })] }],
    'jobs.list': [{ result: [] }],
    ...extra,
  };
}

const SIZES = [
  { name: '1280', viewport: { width: 1280, height: 800 } },
  { name: '800', viewport: { width: 800, height: 600 } },
] as const;

if (skip) it('storage targets in the app (component tests)', { skip }, () => undefined);
else
  describe('storage targets in the app (component tests)', () => {
    let harness: Harness;
    before(async () => {
      harness = await startHarness({ development: true });
      await fs.mkdir(SHOTS, { recursive: true });
    });
    after(async () => {
      await harness?.close();
    });

    const open = (view: HarnessView, replies: Replies, context: BrowserContextOptions = {}) =>
      harness.open(view, { fake: new FakeApi(replies), context: { viewport: SIZES[0].viewport, colorScheme: 'light', ...context } });
    const picker = (h: HarnessPage) => h.page.getByLabel('Storage target');
    const rowheaders = (h: HarnessPage) => h.page.getByRole('table', { name: 'Backups' }).getByRole('rowheader').allInnerTexts();
    const shot = (h: HarnessPage, name: string) => h.page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

    it('Backups: the default store first, another target’s backups, versions and jobs on choosing it; a failing target hides nothing', async () => {
      const h = await open({ view: 'pages', page: 'backups' }, engine());
      try {
        await h.page.getByRole('rowheader', { name: 'nightly' }).waitFor();
        assert.equal(await picker(h).inputValue(), '');
        assert.deepEqual(await picker(h).locator('option').allInnerTexts(), [
          'Default store — /var/lib/dvom/backups',
          'nas — /mnt/nas/dvom',
          's3-offsite — s3://dvom-offsite/ at https://s3.example.net',
        ]);

        await picker(h).selectOption('s3-offsite');
        await h.page.getByRole('rowheader', { name: 'ux-wp' }).waitFor();
        assert.deepEqual(await rowheaders(h), ['ux-wp']);
        await h.page.getByRole('button', { name: 'ux-wp', exact: true }).click();
        await h.page.getByRole('table', { name: 'Versions of ux-wp' }).waitFor();
        assert.deepEqual((await h.calls('backups.versions')).at(-1), { backup: 'ux-wp', target: 's3-offsite' });
        await h.page.getByRole('button', { name: 'Verify', exact: true }).click();
        await h.waitForCalls('jobs.startVerify', (c) => c.length === 1);
        assert.deepEqual(await h.calls('jobs.startVerify'), [{ backup: 'ux-wp', readData: true, target: 's3-offsite' }]);
        await shot(h, 'backups-target-s3-1280-light');

        await picker(h).selectOption('nas');
        await h.page.getByText('Cannot list the backups on nas').waitFor();
        await h.page.getByText('Cannot reach /mnt/nas/dvom: the share is not mounted.').waitFor();
        assert.equal(await picker(h).isVisible(), true, 'another target can still be chosen');
        await shot(h, 'backups-target-failed-1280-light');

        await picker(h).selectOption('');
        await h.page.getByRole('rowheader', { name: 'nightly' }).waitFor();
        assert.deepEqual(await rowheaders(h), ['nightly']);
        // In order (development React mounts twice: the first list may be asked twice).
        const asked = (await h.calls('backups.list')).map((c) => c.target ?? '');
        assert.deepEqual(asked.filter((t, i) => t !== asked[i - 1]), ['', 's3-offsite', 'nas', '']);
        assert.deepEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });

    it('Backups: with one store there is nothing to pick; a small window and dark mode keep the picker readable', async () => {
      const one = await open({ view: 'pages', page: 'backups' }, engine({ 'targets.list': [{ result: [] }] }));
      try {
        await one.page.getByRole('rowheader', { name: 'nightly' }).waitFor();
        await one.waitForCalls('targets.list', (c) => c.length > 0);
        assert.equal(await picker(one).count(), 0);
      } finally {
        await one.close();
      }
      for (const colorScheme of ['light', 'dark'] as const) {
        const h = await open({ view: 'pages', page: 'backups' }, engine(), { viewport: SIZES[1].viewport, colorScheme });
        try {
          await h.page.getByRole('rowheader', { name: 'nightly' }).waitFor();
          await picker(h).selectOption('s3-offsite');
          await h.page.getByRole('rowheader', { name: 'ux-wp' }).waitFor();
          const box = await picker(h).boundingBox();
          assert.ok(box && box.x + box.width <= 800, 'the picker fits the window');
          await shot(h, `backups-target-s3-800-${colorScheme}`);
        } finally {
          await h.close();
        }
      }
      const dark = await open({ view: 'pages', page: 'backups' }, engine(), { colorScheme: 'dark' });
      try {
        await dark.page.getByRole('rowheader', { name: 'nightly' }).waitFor();
        await shot(dark, 'backups-target-default-1280-dark');
      } finally {
        await dark.close();
      }
    });

    it('Backups: a chosen target that is removed gives way to the default store', async () => {
      let targets = TARGETS;
      const h = await open({ view: 'pages', page: 'backups' }, engine({ 'targets.list': [{ handle: () => targets }] }));
      try {
        await h.page.getByRole('rowheader', { name: 'nightly' }).waitFor();
        await picker(h).selectOption('s3-offsite');
        await h.page.getByRole('rowheader', { name: 'ux-wp' }).waitFor();
        targets = TARGETS.filter((t) => t.name !== 's3-offsite');
        await h.emit('backups.changed', {});
        await h.page.getByRole('rowheader', { name: 'nightly' }).waitFor();
        assert.equal(await picker(h).inputValue(), '');
        assert.equal((await h.calls('backups.list')).at(-1)?.target, undefined);
      } finally {
        await h.close();
      }
    });

    it('restores from a second target: the wizard lists, checks and restores from the target chosen', async () => {
      const h = await open({ view: 'pages', page: 'backups' }, engine());
      try {
        await picker(h).selectOption('s3-offsite');
        await h.page.getByRole('button', { name: 'ux-wp', exact: true }).click();
        await h.page.getByRole('button', { name: /^Restore the version from / }).click();

        await h.page.getByRole('heading', { name: /Choose the backup and version/ }).waitFor();
        assert.equal(await picker(h).inputValue(), 's3-offsite', 'the wizard restores from the store the Backups page showed');
        assert.equal(await h.page.getByLabel('Backup', { exact: true }).inputValue(), 'ux-wp');
        await h.page.locator(`input[type=radio][value="${V_AWAY.id}"]:checked`).waitFor();
        await shot(h, 'restore-target-s3-1280-light');

        // Another store: what was chosen belonged to the other one.
        await picker(h).selectOption('');
        await h.page.getByRole('option', { name: 'Choose a backup…' }).waitFor({ state: 'attached' });
        assert.deepEqual(await h.page.getByLabel('Backup', { exact: true }).locator('option').allInnerTexts(), ['Choose a backup…', 'nightly']);
        await picker(h).selectOption('s3-offsite');
        await h.page.getByLabel('Backup', { exact: true }).selectOption('ux-wp');
        await h.page.locator(`input[type=radio][value="${V_AWAY.id}"]:checked`).waitFor();

        for (let step = 0; step < 3; step++) await h.page.getByRole('button', { name: 'Next' }).click();
        await h.page.getByRole('button', { name: 'Start restore' }).click();
        await h.waitForCalls('jobs.startRestore', (c) => c.length === 1);
        const [call] = await h.calls('jobs.startRestore');
        assert.equal(call?.target, 's3-offsite');
        assert.equal(call?.backup, 'ux-wp');
        assert.equal(call?.version, V_AWAY.id);
        assert.ok((await h.calls('secrets.hasPassword')).every((c) => c.target === 's3-offsite'));
        assert.deepEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });

    it('restore wizard: the picker at 800×600 and in dark mode', async () => {
      for (const [size, colorScheme] of [[SIZES[1], 'light'], [SIZES[1], 'dark'], [SIZES[0], 'dark']] as const) {
        const h = await open({ view: 'pages', page: 'restore' }, engine(), { viewport: size.viewport, colorScheme });
        try {
          await picker(h).selectOption('s3-offsite');
          await h.page.getByLabel('Backup', { exact: true }).selectOption('ux-wp');
          await h.page.locator(`input[type=radio][value="${V_AWAY.id}"]:checked`).waitFor();
          const box = await picker(h).boundingBox();
          assert.ok(box && box.x + box.width <= size.viewport.width, 'the picker fits the window');
          await shot(h, `restore-target-s3-${size.name}-${colorScheme}`);
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      }
    });

    it('Volumes: the last backup on each target, newest first, and the targets that could not be read', async () => {
      const volumes = [
        volume('ux-wp', {
          size: 4096,
          lastBackup: { at: ago(120), backup: 'ux-wp', checked: true, target: 's3-offsite' },
          lastBackups: [
            { at: ago(120), backup: 'ux-wp', checked: true, target: 's3-offsite' },
            { at: ago(60 * 24 * 3), backup: 'nightly', checked: true, target: null },
          ],
          lastBackupUnknown: [{ target: 'nas', error: OFFLINE.message }],
        }),
        volume('cache', { size: 4096, lastBackups: [], lastBackupUnknown: [{ target: 'nas', error: OFFLINE.message }] }),
        // An engine without per-target answers: its one last backup, as before.
        volume('pgdata', { size: 4096, lastBackup: { at: ago(30), backup: 'pgdata', checked: true } }),
      ];
      for (const size of SIZES) {
        for (const colorScheme of ['light', 'dark'] as const) {
          const h = await open({ view: 'app' }, engine({ 'volumes.list': [{ result: volumes }] }), { viewport: size.viewport, colorScheme });
          try {
            const cell = (name: string) => h.page.getByRole('row').filter({ has: h.page.getByText(name, { exact: true }) }).locator('td .stack');
            await cell('ux-wp').waitFor();
            const text = (name: string) => cell(name).innerText().then((t) => t.split('\n').map((l) => l.trim()));
            assert.deepEqual(await text('ux-wp'), [
              '2 hours ago',
              'in ux-wp on s3-offsite',
              '3 days ago in nightly on the default store',
              'Unknown on nas',
            ]);
            assert.deepEqual(await text('cache'), ['None found', 'Unknown on nas']);
            assert.deepEqual(await text('pgdata'), ['30 minutes ago', 'in pgdata']);
            assert.equal(await cell('ux-wp').getByText('Unknown on nas').getAttribute('title'), `nas could not be read: ${OFFLINE.message}`);
            await shot(h, `volumes-last-backup-${size.name}-${colorScheme}`);
            assert.deepEqual(h.errors, []);
          } finally {
            await h.close();
          }
        }
      }
    });
  });
