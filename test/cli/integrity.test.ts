import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cloneStore, exists, listFiles, makeSmallDataset, removeAll, runDvom, runOk, storeCopy, tempDir, writeRandomFile } from './run-dvom.ts';

const PW = { DVOM_PASSWORD: 'integrity' };

describe('dvom detects damaged backups', { concurrency: true }, () => {
  let src: string;
  /** Stores holding an intact backup 'box', encrypted and plain. */
  let encryptedTemplate: string;
  let plainTemplate: string;
  const dirs: string[] = [];

  before(async () => {
    src = await tempDir('integ-src');
    encryptedTemplate = await tempDir('integ-enc');
    plainTemplate = await tempDir('integ-plain');
    await makeSmallDataset(src);
    await writeRandomFile(path.join(src, 'big.bin'), 2 * 1024 * 1024);
    await Promise.all([
      runOk(['backup', `--path=${src}`, '--name=box', '--encrypt'], { store: encryptedTemplate, env: PW }),
      runOk(['backup', `--path=${src}`, '--name=box'], { store: plainTemplate }),
    ]);
  });
  after(() => removeAll(src, encryptedTemplate, plainTemplate, ...dirs));

  /** A private copy of a template store; its biggest pack holds the file data. */
  async function setup(label: string, encrypted = true) {
    const { store, work } = await storeCopy(encrypted ? encryptedTemplate : plainTemplate, label, dirs);
    const root = path.join(store, 'backups', 'box');
    const packs = await listFiles(path.join(root, 'packs'));
    assert.ok(packs.length >= 1);
    let biggest = '';
    let size = -1;
    for (const p of packs) {
      const st = await fs.stat(path.join(root, 'packs', p));
      if (st.size > size) [biggest, size] = [path.join(root, 'packs', p), st.size];
    }
    assert.match(path.relative(root, biggest), /^packs\/([0-9a-f]{2})\/\1[0-9a-f]{62}$/);
    return { store, work, root, pack: biggest, packSize: size };
  }

  async function flipMiddleByte(file: string): Promise<void> {
    const buf = await fs.readFile(file);
    const at = Math.floor(buf.length / 2);
    buf[at] = buf[at]! ^ 0x40;
    await fs.writeFile(file, buf);
  }

  test('a flipped byte in a pack of an encrypted backup: verify --read-data, restore --dry-run and restore exit 5', async () => {
    const { store, work, pack } = await setup('flip');
    const ok = await runOk(['verify', 'box', '--read-data'], { store, env: PW });
    assert.match(ok.stdout, /is intact/);
    await flipMiddleByte(pack);

    const v = await runDvom(['verify', 'box', '--read-data'], { store, env: PW });
    assert.equal(v.code, 5, v.stderr);
    assert.match(v.stderr, /^Error: pack [0-9a-f]{64}: .*authentication failed/m);
    assert.match(v.stderr, /^Error: backup 'box' is damaged: 1 problem\(s\) found/m);
    assert.doesNotMatch(v.stdout, /intact/);

    const dry = await runDvom(['restore', '--snapshot=box', '--dry-run'], { store, env: PW });
    assert.equal(dry.code, 5, dry.stderr);
    const packKey = `backups/box/packs/${path.basename(path.dirname(pack))}/${path.basename(pack)}`;
    assert.match(dry.stderr, new RegExp(`^Error: object ${packKey}: authentication failed at segment \\d+`, 'm'));
    assert.doesNotMatch(dry.stdout, /passed/);

    const target = path.join(work, 'target');
    const r = await runDvom(['restore', '--snapshot=box', `--target-dir=${target}`], { store, env: PW });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, new RegExp(`^Error: object ${packKey}: authentication failed`, 'm'));
    assert.equal(await exists(target), false);
    assert.deepEqual(await fs.readdir(work), [], 'no staging folder is left behind');

    // --force onto an existing folder: the damage is found before the folder is touched.
    const existing = path.join(work, 'existing');
    await fs.mkdir(existing);
    await fs.writeFile(path.join(existing, 'mine.txt'), 'mine');
    const forced = await runDvom(['restore', '--snapshot=box', `--target-dir=${existing}`, '--force'], { store, env: PW });
    assert.equal(forced.code, 5, forced.stderr);
    assert.deepEqual(await fs.readdir(existing), ['mine.txt']);
    assert.equal(await fs.readFile(path.join(existing, 'mine.txt'), 'utf8'), 'mine');
    assert.deepEqual(await fs.readdir(work), ['existing'], 'no staging folder is left behind');
  });

  test('a flipped byte in a pack of a plain backup is caught too', async () => {
    const { store, work, pack } = await setup('flip-plain', false);
    await flipMiddleByte(pack);
    const v = await runDvom(['verify', 'box', '--read-data'], { store });
    assert.equal(v.code, 5, v.stderr);
    assert.match(v.stderr, /does not match its id \(corrupted data\)/);
    const target = path.join(work, 'target');
    const r = await runDvom(['restore', '--snapshot=box', `--target-dir=${target}`], { store });
    assert.equal(r.code, 5, r.stderr);
    assert.equal(await exists(target), false);
  });

  test('a truncated pack fails the structure-only verify with 5', async () => {
    const { store, work, pack, packSize } = await setup('trunc');
    await runOk(['verify', 'box'], { store, env: PW });
    await fs.truncate(pack, packSize - 100);
    const v = await runDvom(['verify', 'box'], { store, env: PW });
    assert.equal(v.code, 5, v.stderr);
    assert.match(v.stderr, new RegExp(`^Error: pack ${path.basename(pack)} has ${packSize - 100} bytes, expected ${packSize} \\(truncated or modified\\)`, 'm'));
    const target = path.join(work, 'target');
    const r = await runDvom(['restore', '--snapshot=box', `--target-dir=${target}`], { store, env: PW });
    assert.equal(r.code, 5, r.stderr);
    assert.equal(await exists(target), false);
  });

  test('a missing pack fails verify with 5 and names it', async () => {
    const { store, pack } = await setup('missing');
    await fs.rm(pack);
    const v = await runDvom(['verify', 'box'], { store, env: PW });
    assert.equal(v.code, 5, v.stderr);
    assert.match(v.stderr, new RegExp(`^Error: pack ${path.basename(pack)} is missing$`, 'm'));
  });

  test(
    'list still shows the healthy backups when one backup is damaged',
    async () => {
      const store = await cloneStore(plainTemplate, 'list-damaged-store');
      dirs.push(store);
      await fs.mkdir(path.join(store, 'backups', 'other'));
      await fs.writeFile(path.join(store, 'backups', 'other', 'config.json'), '{ damaged');
      const r = await runDvom(['list'], { store });
      assert.match(r.stdout, /^box\s/m, `healthy backup listed; exit ${r.code}, stderr: ${r.stderr}`);
      assert.match(r.stdout, /^other\s+DAMAGED/m, 'the damaged backup is listed as such');
      assert.match(r.stderr, /backup 'other' cannot be read: .*not valid JSON/);
      assert.equal(r.code, 5, 'the exit code tells scripts something is wrong');
    },
  );

  test('an edited version file of an encrypted backup is rejected once unlocked', async () => {
    const { store, work, root } = await setup('seal');
    const [file] = await listFiles(path.join(root, 'versions'));
    assert.ok(file);
    const full = path.join(root, 'versions', file);
    const doc = JSON.parse(await fs.readFile(full, 'utf8')) as { stats: { files: number } };
    doc.stats.files += 1;
    await fs.writeFile(full, JSON.stringify(doc, null, 2));
    const target = path.join(work, 'target');
    const r = await runDvom(['restore', '--snapshot=box', `--target-dir=${target}`], { store, env: PW });
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /was modified: its authentication check failed/);
    assert.equal(await exists(target), false);
    const v = await runDvom(['verify', 'box'], { store, env: PW });
    assert.equal(v.code, 5, v.stderr);
  });
});
