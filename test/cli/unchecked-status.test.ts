/**
 * Finding L2: listings showed "verified" and version records without
 * checking their seals even with the backup's key at hand. Now, with a
 * password at hand (DVOM_PASSWORD, the keychain), a forged verification is
 * not shown as verified and an edited version record fails the listing;
 * without one, both are listed but marked unchecked.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalBackend } from '../../src/main/engine/storage/local-backend.ts';
import { keychainUnlock, versionsWithVerification } from '../../src/main/services/catalog.ts';
import { rememberPassword } from '../../src/main/services/passwords.ts';
import { MemorySecretStore } from '../api/transports.ts';
import { sealJson } from '../../src/main/engine/repo/sealed-json.ts';
import { makeSmallDataset, removeAll, runDvom, runOk, storeCopy, tempDir } from './run-dvom.ts';

interface Row {
  id: string;
  verifiedAt: string | null;
  checked: boolean;
}

describe('listings check seals when a key is at hand, and say unchecked when not', { concurrency: true }, () => {
  let src: string;
  let template: string;
  let versionId: string;
  const dirs: string[] = [];
  const env = { DVOM_PASSWORD: 'pw1' };

  before(async () => {
    src = await tempDir('l2-src');
    template = await tempDir('l2-template');
    await makeSmallDataset(src);
    await runOk(['backup', `--path=${src}`, '--name=vault', '--encrypt'], { store: template, env });
    const rows = JSON.parse((await runOk(['versions', 'vault', '--json'], { store: template, env })).stdout) as Row[];
    versionId = rows[0]!.id;
  });
  after(() => removeAll(src, template, ...dirs));

  const versions = async (store: string, extra: Record<string, string | undefined> = {}) => {
    const r = await runOk(['versions', 'vault', '--json'], { store, env: extra });
    return { rows: JSON.parse(r.stdout) as Row[], stderr: r.stderr };
  };

  /** A verification record for the version that no test restore ever made, with a seal of the given kind. */
  async function forgeVerification(store: string, seal: 'keyed' | 'unkeyed'): Promise<void> {
    const config = JSON.parse(await fs.readFile(path.join(store, 'backups/vault/config.json'), 'utf8')) as { id: string };
    const record = { format: 1, repoId: config.id, versionId, verifiedAt: new Date().toISOString(), method: 'test-restore', files: 1, bytes: 1 };
    const doc = seal === 'unkeyed' ? sealJson(record, undefined) : { ...record, seal: `hmac-sha256:${randomBytes(32).toString('hex')}` };
    await fs.mkdir(path.join(store, 'backups/vault/verified'), { recursive: true });
    await fs.writeFile(path.join(store, `backups/vault/verified/${versionId}.json`), JSON.stringify(doc));
  }

  for (const seal of ['keyed', 'unkeyed'] as const) {
    test(`a forged verification (${seal} seal) is not shown as verified with DVOM_PASSWORD; without it, it is marked unchecked`, async () => {
      const { store } = await storeCopy(template, `l2-forged-${seal}`, dirs);
      await forgeVerification(store, seal);

      const withKey = await versions(store, env);
      assert.deepEqual(withKey.rows.map((r) => [r.id, r.verifiedAt, r.checked]), [[versionId, null, true]]);
      assert.doesNotMatch(withKey.stderr, /unchecked/);

      const without = await versions(store);
      assert.equal(without.rows[0]!.checked, false);
      assert.match(without.stderr, /backup 'vault' is encrypted and no password or key is at hand: .* listed unchecked/);
      const table = await runOk(['versions', 'vault'], { store });
      assert.match(table.stdout, /\(unchecked\)/);
    });
  }

  test('a real verification is shown as verified and checked with the key at hand', async () => {
    const { store } = await storeCopy(template, 'l2-real', dirs);
    await runOk(['verify', 'vault', '--read-data'], { store, env });
    const { rows } = await versions(store, env);
    assert.equal(rows[0]!.checked, true);
    assert.ok(rows[0]!.verifiedAt, 'verified');
  });

  test('an edited version record fails the listing when the key is at hand (exit 5)', async () => {
    const { store } = await storeCopy(template, 'l2-version', dirs);
    const file = path.join(store, `backups/vault/versions/${versionId}.json`);
    const doc = JSON.parse(await fs.readFile(file, 'utf8')) as { stats: { bytes: number } };
    doc.stats.bytes += 1;
    await fs.writeFile(file, JSON.stringify(doc));
    const r = await runDvom(['versions', 'vault'], { store, env });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, new RegExp(`version ${versionId} of backup 'vault' was modified`));
    assert.equal((await versions(store)).rows[0]!.checked, false, 'without a key it is listed, unchecked');
  });

  test("the app's listing checks with the password remembered in the keychain", async () => {
    const { store: dir } = await storeCopy(template, 'l2-app', dirs);
    await forgeVerification(dir, 'keyed');
    const store = new LocalBackend(dir);
    const secrets = new MemorySecretStore();
    const locked = await versionsWithVerification(store, 'vault', keychainUnlock(store, secrets));
    assert.deepEqual(locked.map((v) => v.checked), [false]);
    assert.ok(locked[0]!.verifiedAt);
    await rememberPassword(secrets, store, 'vault', 'pw1');
    const unlocked = await versionsWithVerification(store, 'vault', keychainUnlock(store, secrets));
    assert.deepEqual(unlocked.map((v) => [v.checked, v.verifiedAt]), [[true, null]]);
    // A stale remembered password leaves it unchecked rather than failing the list.
    await rememberPassword(secrets, store, 'vault', 'stale');
    assert.deepEqual((await versionsWithVerification(store, 'vault', keychainUnlock(store, secrets))).map((v) => v.checked), [false]);
  });
});
