/* eslint-disable no-restricted-imports -- runs in Node: it drives the page in Chromium. */
/**
 * The restore wizard over a fake engine, in Chromium: the five steps, the
 * file tree behind a password, targets that need confirmation, progress and
 * result, and errors in words.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import type { BackupDto } from '../../../shared/api/dto.ts';
import type { PageIntent } from '../../state/navigation-store.ts';
import { ago, backup, job, node, progress, version, volume } from '../../../../test/renderer-harness/backup-fixtures.ts';
import { FakeApi, type Replies } from '../../../../test/renderer-harness/fake-api.ts';
import { type Harness, type HarnessPage, harnessSkipReason, RESULTS_DIR, startHarness } from '../../../../test/renderer-harness/harness.ts';

const skip = harnessSkipReason();
const SHOTS = RESULTS_DIR;
const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
] as const;
/** The unencrypted backup's tree (no password needed). */
const PLAIN_TREE: Replies = {
  'backups.tree': [
    { when: { backup: 'plain', path: '' }, result: [node('conf', 'dir'), node('hello.txt', 'file', 6), node('big.bin', 'file', 3_000_000)] },
    { when: { backup: 'plain', path: 'conf' }, result: [node('conf/a.conf', 'file', 120), node('conf/b.conf', 'file', 80)] },
  ],
};
const JOB = 'job-0000000000aa';
const LONG_VOLUME = `customer-uploads-${'z'.repeat(100)}`;

const V_NEW = version('20250301T120000Z-bbbb', { createdAt: ago(5), volumes: ['pgdata'] });
const V_OLD = version('20250201T120000Z-aaaa', { createdAt: ago(60 * 24 * 9), verifiedAt: ago(60), volumes: ['pgdata'] });
const BACKUPS: BackupDto[] = [
  backup('nightly', { encrypted: true, latest: V_NEW }),
  backup('plain', { encrypted: false, latest: V_OLD }),
];
const WRONG = { code: 'WRONG_PASSWORD', message: "wrong password for backup 'nightly'" } as const;
const REQUIRED = { code: 'PASSWORD_REQUIRED', message: "backup 'nightly' is encrypted: enter its password" } as const;

function replies(extra: Replies = {}): Replies {
  return {
    'backups.list': [{ result: BACKUPS }],
    'backups.versions': [{ result: [V_NEW, V_OLD] }],
    'secrets.hasPassword': [{ when: { backup: 'nightly' }, result: { remembered: false } }, { result: { remembered: false } }],
    'volumes.list': [
      {
        result: [
          volume('pgdata', { size: 48_000_000, usedBy: [{ name: 'db', running: true }, { name: 'db-migrate', running: false }] }),
          volume('scratch', { size: 0 }),
          volume(LONG_VOLUME, { size: null }),
        ],
      },
    ],
    'backups.tree': [
      { when: { password: 'wrong' }, error: WRONG },
      { when: { path: '', password: 'right' }, result: [node('conf', 'dir'), node('empty', 'dir'), node('hello.txt', 'file', 6), node('big.bin', 'file', 3_000_000)] },
      { when: { path: 'conf', password: 'right' }, result: [node('conf/a.conf', 'file', 120), node('conf/b.conf', 'file', 80)] },
      { when: { path: 'empty', password: 'right' }, result: [] },
      { error: REQUIRED },
    ],
    'jobs.startRestore': [{ result: { jobId: JOB } }],
    'jobs.list': [{ result: [] }],
    ...extra,
  };
}

if (skip) it('the restore wizard (component tests)', { skip }, () => undefined);
else
  describe('the restore wizard (component tests)', () => {
    let harness: Harness;
    before(async () => {
      harness = await startHarness({ development: true });
    });
    after(async () => {
      await harness?.close();
    });

    const open = (intent: PageIntent | undefined, extra: Replies = {}, colorScheme: 'light' | 'dark' = 'light') =>
      harness.open({ view: 'pages', page: 'restore', ...(intent ? { intent } : {}) }, { fake: new FakeApi(replies(extra)), context: { colorScheme } });
    const current = (h: HarnessPage) => h.page.getByRole('list', { name: 'Restore steps' }).locator('[aria-current="step"]');
    const next = (h: HarnessPage) => h.page.getByRole('button', { name: 'Next' });
    const text = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ');
    const shot = (h: HarnessPage, name: string) => h.page.screenshot({ path: `test-results/component-${name}.png` });

    async function atStep(h: HarnessPage, label: string) {
      await current(h).filter({ hasText: label }).waitFor();
    }

    it('restores chosen files of an encrypted backup into a new volume, step by step', async () => {
      const h = await open({ backup: 'nightly', version: V_NEW.id });
      try {
        // 1: preselected from the Backups page.
        await atStep(h, 'Backup and version');
        await h.page.locator(`input[type=radio][value="${V_NEW.id}"]:checked`).waitFor();
        assert.equal(await h.page.getByLabel('Backup', { exact: true }).inputValue(), 'nightly');
        assert.equal(await h.page.getByRole('button', { name: 'Back' }).isDisabled(), true);
        await shot(h, 'wizard-1-source');
        await next(h).click();

        // 2: the tree needs the password first; a wrong one says so and shows nothing.
        await atStep(h, 'What to restore');
        assert.equal(await h.page.getByRole('heading', { name: /Choose what to restore/ }).evaluate((el) => el === document.activeElement), true, 'focus moves to the step');
        await h.page.getByRole('radio', { name: /Selected files and folders/ }).check();
        const gate = h.page.getByRole('group', { name: 'Unlock the backup' });
        await gate.getByLabel('Password', { exact: true }).fill('wrong');
        await gate.getByLabel('Password', { exact: true }).press('Enter');
        await gate.getByRole('alert').filter({ hasText: 'Wrong password' }).waitFor();
        assert.equal(await h.page.getByRole('checkbox').count(), 0);
        await shot(h, 'wizard-2-wrong-password');
        await gate.getByLabel('Password', { exact: true }).fill('right');
        await gate.getByRole('button', { name: 'Show files' }).click();

        // The tree: folders load when opened; a folder's box means all of it.
        await h.page.getByRole('checkbox', { name: 'hello.txt' }).waitFor();
        assert.equal(await next(h).isDisabled(), true);
        assert.match(await text(h.page.locator('.br-wizard-hint')), /Choose at least one file or folder/);
        await h.page.getByRole('button', { name: 'Contents of conf' }).click();
        await h.page.getByRole('checkbox', { name: 'a.conf' }).waitFor();
        await h.page.getByRole('checkbox', { name: 'conf', exact: true }).check();
        assert.equal(await h.page.getByRole('checkbox', { name: 'a.conf' }).isChecked(), true);
        await h.page.getByRole('checkbox', { name: 'a.conf' }).uncheck();
        assert.equal(await h.page.getByRole('checkbox', { name: 'b.conf' }).isChecked(), true);
        assert.equal(await h.page.getByRole('checkbox', { name: 'conf', exact: true }).evaluate((el) => (el as HTMLInputElement).indeterminate), true);
        await h.page.getByRole('checkbox', { name: 'hello.txt' }).check();
        await h.page.getByRole('button', { name: 'Contents of empty' }).click();
        await h.page.getByText('This folder is empty.').waitFor();
        await h.page.getByRole('status').filter({ hasText: '2 items selected' }).waitFor();
        await shot(h, 'wizard-2-tree');
        await next(h).click();

        // 3: picked files go back into the original volume keeping the rest, by default; replacing it needs an explicit yes.
        await atStep(h, 'Destination');
        assert.equal(await h.page.getByRole('radio', { name: /Keep it: put the chosen files back/ }).isChecked(), true);
        assert.equal(await h.page.getByRole('radio', { name: 'Keep the file that is there' }).isChecked(), true);
        assert.equal(await h.page.getByRole('checkbox', { name: 'Replace the contents of pgdata' }).count(), 0);
        await h.page.getByRole('radio', { name: /Replace everything in it/ }).check();
        await h.page.getByRole('checkbox', { name: 'Replace the contents of pgdata' }).waitFor();
        assert.equal(await next(h).isDisabled(), true);
        await shot(h, 'wizard-3-target-original');
        await h.page.getByRole('radio', { name: /A new volume/ }).check();
        const name = h.page.getByLabel('New volume name');
        assert.equal(await name.inputValue(), 'pgdata-restored');
        await name.fill('scratch');
        await h.page.getByRole('alert').filter({ hasText: 'A volume named scratch already exists' }).waitFor();
        assert.equal(await next(h).isDisabled(), true);
        await name.fill('restored-files');
        await shot(h, 'wizard-3-target-new');
        await next(h).click();

        // 4 is passed over (the password was entered for the tree): 5, the review.
        await atStep(h, 'Review');
        const steps = await text(h.page.getByRole('list', { name: 'Restore steps' }));
        assert.match(steps, /Password entered/);
        const summary = await text(h.page.locator('dl.br-summary'));
        assert.match(summary, /Backup nightly · encrypted/);
        assert.match(summary, /What 2 selected items conf\/b\.conf hello\.txt/);
        assert.match(summary, /Into New volume restored-files \(created now\)/);
        assert.match(summary, /Password Entered and checked/);
        assert.equal((await h.calls('jobs.startRestore')).length, 0, 'nothing happens before Start');
        await shot(h, 'wizard-5-review');
        await h.page.getByRole('button', { name: 'Start restore' }).click();

        // Progress from job events, then the result.
        const bar = h.page.getByRole('progressbar', { name: 'Restore progress' });
        await bar.waitFor();
        assert.deepEqual(await h.calls('jobs.startRestore'), [
          {
            backup: 'nightly',
            version: V_NEW.id,
            sourceVolume: 'pgdata',
            destinationVolume: 'restored-files',
            paths: ['conf/b.conf', 'hello.txt'],
            mode: 'replace',
            force: false,
            stopContainers: [],
            password: 'right',
          },
        ]);
        await h.emit('job.updated', job(JOB, { kind: 'restore', progress: progress({ bytesDone: 50, bytesTotal: 100, filesDone: 1, filesTotal: 2 }) }));
        await h.page.locator('[role=progressbar][aria-valuenow="50"]').waitFor();
        await shot(h, 'wizard-6-progress');
        await h.emit(
          'job.updated',
          job(JOB, {
            kind: 'restore',
            state: 'succeeded',
            finishedAt: new Date().toISOString(),
            progress: progress({ phase: 'done', bytesDone: 86, bytesTotal: 100, filesDone: 2 }),
            result: "Restored version 20250301T120000Z-bbbb into new volume 'restored-files': 12 files, 5.15 MiB, all hashes verified",
          }),
        );
        await h.page.getByRole('heading', { name: 'Restore finished' }).waitFor();
        const result = await text(h.page.getByRole('definition').first().locator('xpath=..'));
        assert.match(result, /Into restored-files Files 2 Data 86 B Check All hashes verified/);
        await shot(h, 'wizard-7-result');
        assert.deepEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });

    it('replacing a volume in use needs a confirmation and stops its running containers', async () => {
      const h = await open({ backup: 'plain' });
      try {
        await atStep(h, 'Backup and version');
        // No version given: the newest is chosen.
        await h.page.locator(`input[type=radio][value="${V_NEW.id}"]:checked`).waitFor();
        assert.match(await text(h.page.getByRole('list', { name: 'Restore steps' })), /Password not needed/);
        await next(h).click();
        await atStep(h, 'What to restore');
        await next(h).click();
        await atStep(h, 'Destination');
        const confirm = h.page.getByRole('checkbox', { name: 'Replace the contents of pgdata' });
        assert.match(await text(h.page.getByRole('group', { name: "Replace the volume's contents" })), /pgdata is not empty \(45\.8 MiB\)\. Everything in it is deleted/);
        const stop = h.page.getByRole('checkbox', { name: 'Stop db during the restore' });
        assert.equal(await stop.isChecked(), true);
        assert.match(await text(h.page.getByRole('group', { name: 'Containers using pgdata' })), /Also used by db-migrate \(not running\)/);
        await confirm.check();
        await stop.uncheck();
        assert.equal(await next(h).isDisabled(), true, 'a running container must be stopped');
        // Why, right beside the box (not only next to Next).
        const note = await stop.getAttribute('aria-describedby');
        assert.ok(note);
        assert.match(await text(h.page.locator(`[id="${note}"]`)), /db is running and uses pgdata: DVOM does not write into a volume while a container changes it/);
        await stop.check();
        await next(h).press('Enter');
        await atStep(h, 'Review');
        assert.match(await text(h.page.locator('dl.br-summary')), /Into pgdata: its current contents are replaced Containers db: stopped during the restore/);
        await h.page.getByRole('button', { name: 'Start restore' }).click();
        await h.page.getByRole('progressbar').waitFor();
        assert.deepEqual(await h.calls('jobs.startRestore'), [
          { backup: 'plain', version: V_NEW.id, sourceVolume: 'pgdata', destinationVolume: 'pgdata', mode: 'replace', force: true, stopContainers: ['db'] },
        ]);
      } finally {
        await h.close();
      }
    });

    it('a target that turns out not to be empty is explained, and confirmed from the review', async () => {
      const h = await open({ backup: 'plain', version: V_OLD.id });
      try {
        await next(h).click();
        await next(h).click();
        await h.page.getByRole('radio', { name: /Another existing volume/ }).check();
        await h.page.getByLabel('Existing volume', { exact: true }).selectOption('scratch');
        await next(h).click();
        await h.page.getByRole('button', { name: 'Start restore' }).click();
        await h.emit('job.updated', job(JOB, { kind: 'restore', state: 'failed', finishedAt: new Date().toISOString(), error: { code: 'DESTINATION_NOT_EMPTY', message: "volume 'scratch' is not empty; use --force to replace its contents" } }));
        await h.page.getByRole('alert').filter({ hasText: 'scratch is not empty, so nothing was restored into it' }).waitFor();
        await shot(h, 'wizard-not-empty');
        await h.page.getByRole('button', { name: 'Back to confirm' }).click();
        await atStep(h, 'Review');
        const start = h.page.getByRole('button', { name: 'Start restore' });
        assert.equal(await start.isDisabled(), true);
        await h.page.getByRole('checkbox', { name: 'Replace the contents of scratch' }).check();
        await h.prepend('jobs.startRestore', { result: { jobId: 'job-0000000000bb' } });
        await start.click();
        await h.page.getByRole('progressbar').waitFor();
        const calls = await h.calls('jobs.startRestore');
        assert.equal(calls.length, 2);
        assert.deepEqual(calls[1], { backup: 'plain', version: V_OLD.id, sourceVolume: 'pgdata', destinationVolume: 'scratch', mode: 'replace', force: true, stopContainers: [] });
      } finally {
        await h.close();
      }
    });

    it('the password step checks the password before the review; Enter submits', async () => {
      const h = await open({ backup: 'nightly', version: V_NEW.id });
      try {
        await next(h).click();
        await next(h).click();
        await h.page.getByRole('radio', { name: /A new volume/ }).check();
        await next(h).click();
        await atStep(h, 'Password');
        await shot(h, 'wizard-4-password');
        const field = h.page.getByLabel('Password', { exact: true });
        assert.equal(await next(h).isDisabled(), true);
        await field.fill('wrong');
        await field.press('Enter');
        await h.page.getByRole('alert').filter({ hasText: 'Wrong password' }).waitFor();
        await atStep(h, 'Password');
        await field.fill('right');
        await field.press('Enter');
        await atStep(h, 'Review');
        await h.page.getByRole('button', { name: 'Back' }).click();
        await atStep(h, 'Destination');
        assert.equal((await h.calls('jobs.startRestore')).length, 0);
      } finally {
        await h.close();
      }
    });

    it('says what went wrong when the engine cannot be reached', async () => {
      const docker = { code: 'DOCKER_UNAVAILABLE', message: 'cannot reach the Docker engine at unix:///var/run/docker.sock (connect ENOENT); start it with `sudo systemctl start docker`' } as const;
      const h = await open({ backup: 'plain', version: V_NEW.id }, { 'volumes.list': [{ error: docker }] });
      try {
        await next(h).click();
        await next(h).click();
        const alert = h.page.getByRole('alert').filter({ hasText: 'Cannot list the Docker volumes' });
        await alert.waitFor();
        assert.match(await text(alert), /Cannot reach the Docker engine .*start it with `sudo systemctl start docker`/);
        await shot(h, 'wizard-docker-down');
      } finally {
        await h.close();
      }
      const broken = await open({}, { 'backups.list': [{ error: { code: 'ERROR', message: 'permission denied: /srv/backups' } }] });
      try {
        const alert = broken.page.getByRole('alert').filter({ hasText: 'Cannot list the backups' });
        await alert.waitFor();
        assert.match(await text(alert), /Permission denied: \/srv\/backups\./);
        await alert.getByRole('button', { name: 'Retry' }).waitFor();
      } finally {
        await broken.close();
      }
    });

    for (const size of SIZES) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const tag = `${size.width}x${size.height}-${colorScheme}`;
        it(`picking files defaults to keeping the rest of the volume; the review says what happens to existing files (${tag})`, async () => {
          const h = await harness.open(
            { view: 'pages', page: 'restore', intent: { backup: 'plain', version: V_NEW.id } },
            { fake: new FakeApi(replies(PLAIN_TREE)), context: { colorScheme, viewport: size } },
          );
          try {
            await next(h).click();
            await atStep(h, 'What to restore');
            await h.page.getByRole('radio', { name: /Selected files and folders/ }).check();
            await h.page.getByRole('checkbox', { name: 'hello.txt' }).check();
            await h.page.getByRole('checkbox', { name: 'conf', exact: true }).check();
            await next(h).click();

            await atStep(h, 'Destination');
            assert.equal(await h.page.getByRole('radio', { name: /The original volume, pgdata/ }).isChecked(), true);
            assert.match(await text(h.page.locator('.br-choice').first()), /The chosen files are put back; everything else in it is kept/);
            assert.equal(await h.page.getByRole('radio', { name: /Keep it: put the chosen files back/ }).isChecked(), true, 'keep the rest by default');
            assert.equal(await h.page.getByRole('radio', { name: 'Keep the file that is there' }).isChecked(), true);
            assert.equal(await h.page.getByRole('checkbox', { name: 'Replace the contents of pgdata' }).count(), 0, 'nothing to confirm: nothing is deleted');
            const stop = h.page.getByRole('checkbox', { name: 'Stop db during the restore' });
            await stop.uncheck();
            await h.page.getByText('db is running and uses pgdata').waitFor();
            await h.page.screenshot({ path: `${SHOTS}/target-stop-note-${tag}.png`, fullPage: true });
            await stop.check();
            assert.equal(await h.page.getByText('db is running and uses pgdata').count(), 0);
            await h.page.getByRole('radio', { name: 'Replace it with the backed-up file' }).check();
            await h.page.screenshot({ path: `${SHOTS}/target-merge-${tag}.png`, fullPage: true });
            const overflow = await h.page.locator('.br-wizard-main').evaluate((el) => el.scrollWidth - el.clientWidth);
            assert.ok(overflow <= 0, `the wizard overflows by ${overflow}px`);
            await next(h).click();

            await atStep(h, 'Review');
            const summary = await text(h.page.locator('dl.br-summary'));
            assert.match(summary, /Into pgdata: the restored files are added; everything else in it is kept/);
            assert.match(summary, /Files already there Replaced by the backed-up files \(only those with the same path\)/);
            assert.equal(await h.page.getByRole('checkbox', { name: /Replace the contents/ }).count(), 0);
            await h.page.screenshot({ path: `${SHOTS}/review-merge-${tag}.png`, fullPage: true });
            await h.page.getByRole('button', { name: 'Start restore' }).click();
            await h.page.getByRole('progressbar').waitFor();
            assert.deepEqual(await h.calls('jobs.startRestore'), [
              {
                backup: 'plain',
                version: V_NEW.id,
                sourceVolume: 'pgdata',
                destinationVolume: 'pgdata',
                paths: ['conf', 'hello.txt'],
                mode: 'merge',
                onExisting: 'overwrite',
                force: false,
                stopContainers: ['db'],
              },
            ]);
            assert.deepEqual(h.errors, []);
          } finally {
            await h.close();
          }
        });

        it(`restores into a folder on this computer; another existing volume is not preselected (${tag})`, async () => {
          const h = await harness.open(
            { view: 'pages', page: 'restore', intent: { backup: 'plain', version: V_NEW.id } },
            { fake: new FakeApi(replies(PLAIN_TREE)), context: { colorScheme, viewport: size } },
          );
          try {
            await next(h).click();
            await next(h).click();
            await atStep(h, 'Destination');
            await h.page.getByRole('radio', { name: /Another existing volume/ }).check();
            assert.equal(await h.page.getByLabel('Existing volume', { exact: true }).inputValue(), '', 'no volume is picked for the user');
            assert.match(await text(h.page.locator('.br-wizard-hint')), /Choose a volume\./);
            assert.equal(await next(h).isDisabled(), true);

            await h.page.getByRole('radio', { name: /A folder on this computer/ }).check();
            const folder = h.page.getByLabel('Folder', { exact: true });
            await folder.fill('restored');
            await h.page.getByRole('alert').filter({ hasText: 'Give the full path of the folder, starting with /.' }).waitFor();
            assert.equal(await next(h).isDisabled(), true);
            await folder.fill('/srv/restored');
            assert.equal(await h.page.getByRole('radio', { name: /Replace everything in it/ }).count(), 0, 'a folder is only added to');
            assert.equal(await h.page.getByRole('radio', { name: 'Keep the file that is there' }).isChecked(), true);
            await h.page.screenshot({ path: `${SHOTS}/target-folder-${tag}.png`, fullPage: true });
            await next(h).click();

            await atStep(h, 'Review');
            const summary = await text(h.page.locator('dl.br-summary'));
            assert.match(summary, /Into Folder \/srv\/restored on this computer \(created if needed\); everything else in it is kept/);
            assert.match(summary, /Files already there Kept as they are: only missing files are restored/);
            await h.page.screenshot({ path: `${SHOTS}/review-folder-${tag}.png`, fullPage: true });
            // Only the engine can judge a folder of its machine: a refusal brings the user back to it, the reason beside it.
            const problem = 'not inside /srv, a system folder: choose a folder of its own';
            await h.prepend('jobs.startRestore', {
              times: 1,
              error: { code: 'INVALID_ARGUMENT', message: `jobs.startRestore: destinationDir: ${problem}`, field: 'destinationDir', problem },
            });
            await h.page.getByRole('button', { name: 'Start restore' }).click();
            await atStep(h, 'Destination');
            await h.page.getByRole('alert').filter({ hasText: 'Not inside /srv, a system folder: choose a folder of its own.' }).waitFor();
            assert.equal(await next(h).isDisabled(), true);
            await h.page.screenshot({ path: `${SHOTS}/target-folder-refused-${tag}.png`, fullPage: true });
            await h.page.getByLabel('Folder', { exact: true }).fill('/home/me/restored');
            await next(h).click();
            await atStep(h, 'Review');
            await h.page.getByRole('button', { name: 'Start restore' }).click();
            await h.page.getByRole('progressbar').waitFor();
            const calls = await h.calls('jobs.startRestore');
            assert.equal(calls.length, 2);
            assert.deepEqual(calls[1], {
              backup: 'plain',
              version: V_NEW.id,
              sourceVolume: 'pgdata',
              destinationDir: '/home/me/restored',
              mode: 'merge',
              onExisting: 'skip',
              force: false,
              stopContainers: [],
            });
            await h.page.getByRole('heading', { name: 'Restoring into /home/me/restored…' }).waitFor();

            // Cancelled while writing: which files were written, in the engine's words.
            const written = "restore cancelled: 3 files had been written into /home/me/restored ('a', 'b', 'c'); the others were not touched";
            await h.emit(
              'job.updated',
              job(JOB, { kind: 'restore', state: 'cancelled', finishedAt: new Date().toISOString(), progress: progress({ phase: 'writing', filesDone: 3 }), error: { code: 'CANCELLED', message: written } }),
            );
            await h.page.getByRole('heading', { name: 'Restore cancelled' }).waitFor();
            await h.page.getByText(/3 files had been written into \/home\/me\/restored/).waitFor();
            await h.page.screenshot({ path: `${SHOTS}/cancelled-folder-${tag}.png`, fullPage: true });
            assert.deepEqual(h.errors, []);
          } finally {
            await h.close();
          }
        });
      }
    }

    it('keeps long names inside the page, in the dark theme too', async () => {
      const h = await open({ backup: 'plain', version: V_NEW.id }, {}, 'dark');
      try {
        await next(h).click();
        await next(h).click();
        await h.page.getByRole('radio', { name: /Another existing volume/ }).check();
        await h.page.getByLabel('Existing volume', { exact: true }).selectOption(LONG_VOLUME);
        await h.page.getByText('DVOM cannot tell whether').waitFor();
        const overflow = await h.page.locator('.br-wizard-main').evaluate((el) => el.scrollWidth - el.clientWidth);
        assert.ok(overflow <= 0, `the wizard overflows by ${overflow}px`);
        await shot(h, 'wizard-dark-long-name');
      } finally {
        await h.close();
      }
    });
  });
