/* eslint-disable no-restricted-imports -- a test: runs in Node and drives the page in Chromium. */
/**
 * Settings lists the backup passwords remembered in the keychain, for the
 * default store and each other target, each with Forget (issue 14, item 9):
 * Forget removes that one (secrets.deletePassword with its target) and the
 * list follows; a store that cannot be listed says so. At 1280×800 and
 * 800×600, light and dark.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ParamsOf } from '../../../shared/api/contract.ts';
import type { TargetDto } from '../../../shared/api/dto.ts';
import { backup } from '../../../../test/renderer-harness/fixtures.ts';
import { describeInHarness } from '../../../../test/renderer-harness/suite.ts';

const NAS: TargetDto = { name: 'nas', type: 'local', location: '/mnt/nas/dvom', isDefault: false, settings: { path: '/mnt/nas/dvom' } };
const CLOUD: TargetDto = { name: 'cloud', type: 's3', location: 's3://b/ at https://s3.example.com', isDefault: false, settings: { bucket: 'b', hasSecret: true } };

describeInHarness('Settings: remembered passwords (component, in Chromium)', (harness) => {
  for (const [size, viewport] of [['1280x800', { width: 1280, height: 800 }], ['800x600', { width: 800, height: 600 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`lists them by store and forgets one (${size}, ${colorScheme})`, async () => {
        // The keychain, as the fake engine keeps it: target ('' = default store) # backup.
        const remembered = new Set(['#pgdata', '#vault', 'nas#media']);
        const h = await harness.open({ view: 'settings' }, {
          context: { colorScheme, viewport },
          before: async (p) => {
            await p.reply('targets.list', { result: [NAS, CLOUD] });
            await p.reply('backups.list', {
              handle: (params: ParamsOf<'backups.list'>) => {
                const t = params.target ?? '';
                const names = t === 'nas' ? ['media', 'photos'] : ['pgdata', 'vault', 'plain'];
                return names.map((name) => backup({ name, encrypted: name !== 'plain', passwordRemembered: remembered.has(`${t}#${name}`) }));
              },
            });
            await p.prepend('backups.list', { when: { target: 'cloud' }, error: { code: 'ERROR', message: 'cannot reach https://s3.example.com' } });
            await p.reply('secrets.deletePassword', {
              handle: (params: ParamsOf<'secrets.deletePassword'>) => ({ deleted: remembered.delete(`${params.target ?? ''}#${params.backup}`) }),
            });
          },
        });
        try {
          const list = h.page.getByRole('list', { name: 'Remembered passwords' });
          await list.getByRole('listitem').nth(2).waitFor();
          const rows = (await list.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
          assert.deepEqual(rows, ['pgdata in default store Forget', 'vault in default store Forget', 'media in nas Forget']);
          await h.page.getByRole('alert').filter({ hasText: 'Could not look into cloud:' }).waitFor();
          const section = h.page.getByRole('region', { name: 'Remembered passwords' });
          await section.scrollIntoViewIfNeeded();
          await h.screenshot(`component-settings-passwords-${size}-${colorScheme}.png`);

          await list.getByRole('button', { name: 'Forget the password of media in nas' }).click();
          await h.page.getByText('Forgot the password of media.').waitFor();
          await list.getByRole('listitem').filter({ hasText: 'media' }).waitFor({ state: 'detached' });
          assert.deepEqual(await h.calls('secrets.deletePassword'), [{ backup: 'media', target: 'nas' }]);
          assert.equal(await list.getByRole('listitem').count(), 2);
          assert.deepEqual(h.errors, []);
        } finally {
          await h.close();
        }
      });
    }
  }
});
