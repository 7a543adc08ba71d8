/**
 * Finding H1: someone who can write to the store rewrites a backup's config
 * to say it is not encrypted (keys, index and versions moved aside). The next
 * `dvom backup` must not write plaintext: it exits 5, names the backup and
 * writes nothing. Likewise a backup whose repository id changed, or that
 * vanished, is not used or replaced without the user saying so.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { downgradeToPlain, storeSnapshot } from '../support/tamper-store.ts';
import { exists, makeSmallDataset, removeAll, runDvom, runOk, tempDir } from './run-dvom.ts';

describe('dvom refuses a store edited to downgrade or replace a backup', { concurrency: true }, () => {
  let src: string;
  const dirs: string[] = [];
  const env = { DVOM_PASSWORD: 'pw1' };

  before(async () => {
    src = await tempDir('h1-src');
    await makeSmallDataset(src);
  });
  after(() => removeAll(src, ...dirs));

  /** A store with an encrypted backup 'vault' made by dvom on this machine. */
  async function encryptedStore(label: string): Promise<string> {
    const store = await tempDir(label);
    dirs.push(store);
    await runOk(['backup', `--path=${src}`, '--name=vault', '--encrypt'], { store, env });
    return store;
  }

  const packsOf = (store: string) => path.join(store, 'backups', 'vault', 'packs');

  test('config rewritten to plain: dvom backup with DVOM_PASSWORD exits 5, names the backup, writes nothing', async () => {
    const store = await encryptedStore('h1-plain');
    await downgradeToPlain(store, 'vault');
    await fs.rm(packsOf(store), { recursive: true });
    const before = await storeSnapshot(store);

    for (const args of [[], ['--encrypt']]) {
      const r = await runDvom(['backup', `--path=${src}`, '--name=vault', ...args], { store, env });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /backup 'vault' in .* was encrypted when this machine last used it, but its config now says it is not/);
    }
    // Nothing at hand to give the password away: the memory of this machine is enough.
    const none = await runDvom(['backup', `--path=${src}`, '--name=vault'], { store });
    assert.equal(none.code, 5, none.stderr);
    // Nor does a listing show the planted versions as checked: it says what happened.
    const listed = await runDvom(['versions', 'vault'], { store });
    assert.equal(listed.code, 5, listed.stderr);
    assert.match(listed.stderr, /was encrypted when this machine last used it/);
    assert.deepEqual(await storeSnapshot(store), before, 'nothing was written to the store');
    assert.equal(await exists(packsOf(store)), false, 'no plaintext pack');
  });

  test('on a machine that never used the backup, a password at hand is enough to refuse it', async () => {
    const store = await encryptedStore('h1-other-host');
    await downgradeToPlain(store, 'vault');
    await fs.rm(packsOf(store), { recursive: true });
    const before = await storeSnapshot(store);
    const otherHost = { ...env, DVOM_CONFIG: path.join(store, '..', `${path.basename(store)}-host2`, 'config.json') };
    dirs.push(path.dirname(otherHost.DVOM_CONFIG));
    const r = await runDvom(['backup', `--path=${src}`, '--name=vault'], { store, env: otherHost });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /backup 'vault' .* says it is not encrypted, but DVOM_PASSWORD is set for it/);
    assert.deepEqual(await storeSnapshot(store), before);
    assert.equal(await exists(packsOf(store)), false);
  });

  test('a backup whose repository id changed is refused until it is deleted on purpose', async () => {
    const store = await encryptedStore('h1-swap');
    // Another backup of the same name (and password) takes its place.
    const other = await tempDir('h1-swap-other');
    dirs.push(other);
    await runOk(['backup', `--path=${src}`, '--name=vault', '--encrypt'], { store: other, env });
    await fs.rm(path.join(store, 'backups', 'vault'), { recursive: true });
    await fs.cp(path.join(other, 'backups', 'vault'), path.join(store, 'backups', 'vault'), { recursive: true });
    const before = await storeSnapshot(store);

    for (const args of [['backup', `--path=${src}`, '--name=vault'], ['verify', 'vault']]) {
      const r = await runDvom(args, { store, env });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /backup 'vault' in .* is not the backup this machine knew: its repository id changed/);
    }
    assert.deepEqual(await storeSnapshot(store), before);

    await runOk(['delete', 'vault', '--force'], { store, env });
    await runOk(['backup', `--path=${src}`, '--name=vault', '--encrypt'], { store, env });
  });

  test('a backup whose config vanished is not created again in its place', async () => {
    const store = await encryptedStore('h1-vanished');
    await fs.rm(path.join(store, 'backups', 'vault'), { recursive: true });
    const r = await runDvom(['backup', `--path=${src}`, '--name=vault'], { store, env });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /backup 'vault' .* existed when this machine last used it \(encrypted\), but its config is gone/);
    assert.equal(await exists(path.join(store, 'backups', 'vault')), false);
  });
});
