import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  exists,
  fileHashes,
  listFiles,
  makeSmallDataset,
  manifest,
  removeAll,
  runDvom,
  runOk,
  siblingsStartingWith,
  storeCopy,
  tempDir,
} from './run-dvom.ts';

describe('dvom passwords and keys', { concurrency: true }, () => {
  let src: string;
  let expected: Record<string, string>;
  /** Store with one encrypted backup 'vault' (password 'pw1') and one plain backup 'plain'. */
  let template: string;
  const dirs: string[] = [];

  /** A private copy of the template store plus a scratch folder. */
  const setup = (label: string) => storeCopy(template, label, dirs);

  before(async () => {
    src = await tempDir('pw-src');
    template = await tempDir('pw-template');
    await makeSmallDataset(src);
    expected = await manifest(src);
    await runOk(['backup', `--path=${src}`, '--name=vault', '--encrypt'], { store: template, env: { DVOM_PASSWORD: 'pw1' } });
    await runOk(['backup', `--path=${src}`, '--name=plain'], { store: template });
  });
  after(() => removeAll(src, template, ...dirs));

  test('wrong DVOM_PASSWORD on restore exits 3, names the backup and creates nothing', async () => {
    const { store, work } = await setup('wrongpw');
    const target = path.join(work, 'target');
    const r = await runDvom(['restore', '--snapshot=vault', `--target-dir=${target}`], { store, env: { DVOM_PASSWORD: 'nope' } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^Error: wrong password for backup 'vault'$/m);
    assert.equal(await exists(target), false);
    assert.deepEqual(await fs.readdir(work), []);

    // An existing folder is left alone even with --force.
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'mine.txt'), 'mine');
    const before = await manifest(target);
    const forced = await runDvom(['restore', '--snapshot=vault', `--target-dir=${target}`, '--force'], {
      store,
      env: { DVOM_PASSWORD: 'nope' },
    });
    assert.equal(forced.code, 3);
    assert.deepEqual(await manifest(target), before);
    assert.deepEqual(await siblingsStartingWith(work, 'target.'), []);

    for (const args of [['verify', 'vault'], ['restore', '--snapshot=vault', '--dry-run'], ['prune', 'vault']]) {
      const w = await runDvom(args, { store, env: { DVOM_PASSWORD: 'nope' } });
      assert.equal(w.code, 3, `${args.join(' ')}: ${w.stderr}`);
      assert.match(w.stderr, /wrong password for backup 'vault'/);
    }
  });

  test('--password works but warns that it is visible in the process list', async () => {
    const { store, work } = await setup('pwflag');
    const target = path.join(work, 'out');
    const r = await runOk(['restore', '--snapshot=vault', `--target-dir=${target}`, '--password=pw1'], { store });
    assert.match(r.stderr, /^Warning: .*--password.*process list/m);
    assert.deepEqual(await manifest(target), expected);
    const wrong = await runDvom(['verify', 'vault', '--password=pw2'], { store });
    assert.equal(wrong.code, 3);
    assert.match(wrong.stderr, /process list/);
    // Even --quiet keeps the warning.
    const quiet = await runOk(['verify', 'vault', '--password=pw1', '--quiet'], { store });
    assert.match(quiet.stderr, /process list/);
  });

  test('an encrypted backup without a password and no terminal is a clear usage error', async () => {
    const { store, work } = await setup('nopw');
    const target = path.join(work, 'out');
    for (const args of [['restore', '--snapshot=vault', `--target-dir=${target}`], ['verify', 'vault'], ['backup', `--path=${src}`, '--name=vault']]) {
      const r = await runDvom(args, { store });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^Error: backup 'vault' needs a password: set DVOM_PASSWORD/m);
    }
    assert.equal(await exists(target), false);
    // Creating an encrypted backup without a password fails too, and creates nothing.
    const create = await runDvom(['backup', `--path=${src}`, '--name=fresh', '--encrypt'], { store });
    assert.equal(create.code, 2);
    assert.match(create.stderr, /DVOM_PASSWORD/);
    assert.equal(await exists(path.join(store, 'backups', 'fresh')), false);
    const empty = await runDvom(['verify', 'vault'], { store, env: { DVOM_PASSWORD: '' } });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /DVOM_PASSWORD is empty/);
  });

  test('--key-file and DVOM_KEY create and open an encrypted backup', async () => {
    const key = randomBytes(32).toString('base64');
    const keyDir = await tempDir('keyfile');
    dirs.push(keyDir);
    const keyFile = path.join(keyDir, 'key.b64');
    await fs.writeFile(keyFile, key + '\n');
    const store = await tempDir('rawkey-store');
    const work = await tempDir('rawkey-work');
    dirs.push(store, work);
    await runOk(['backup', `--path=${src}`, '--name=vault', '--encrypt', `--key-file=${keyFile}`], { store });
    const info = JSON.parse((await runOk(['info', 'vault', '--json'], { store })).stdout) as { encrypted: boolean };
    assert.equal(info.encrypted, true);

    const viaFile = path.join(work, 'via-file');
    await runOk(['restore', '--snapshot=vault', `--target-dir=${viaFile}`, `--key-file=${keyFile}`], { store });
    assert.deepEqual(await manifest(viaFile), expected);

    const viaEnv = path.join(work, 'via-env');
    await runOk(['restore', '--snapshot=vault', `--target-dir=${viaEnv}`], { store, env: { DVOM_KEY: key } });
    assert.deepEqual(await manifest(viaEnv), expected);

    const wrongKey = await runDvom(['verify', 'vault'], { store, env: { DVOM_KEY: randomBytes(32).toString('base64') } });
    assert.equal(wrongKey.code, 3);
    assert.match(wrongKey.stderr, /^Error: wrong key for backup 'vault'$/m);

    const password = await runDvom(['verify', 'vault'], { store, env: { DVOM_PASSWORD: 'pw1' } });
    assert.equal(password.code, 3, 'a password does not open a key-only backup');
  });

  test('a malformed or missing key is a usage error', async () => {
    const { store, work } = await setup('badkey');
    const short = path.join(work, 'short.b64');
    await fs.writeFile(short, randomBytes(16).toString('base64'));
    const r = await runDvom(['verify', 'vault', `--key-file=${short}`], { store });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: key file '.*short\.b64' must hold exactly 32 bytes encoded as base64/m);

    const env = await runDvom(['verify', 'vault'], { store, env: { DVOM_KEY: 'not base64 at all!' } });
    assert.equal(env.code, 2);
    assert.match(env.stderr, /^Error: DVOM_KEY must hold exactly 32 bytes/m);

    const missing = await runDvom(['verify', 'vault', `--key-file=${path.join(work, 'absent')}`], { store });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^Error: cannot read key file '.*absent'/m);

    const create = await runDvom(['backup', `--path=${src}`, '--name=other', '--encrypt', `--key-file=${short}`], { store });
    assert.equal(create.code, 2);
    assert.equal(await exists(path.join(store, 'backups', 'other')), false);
  });

  test('passwd changes only the key file and key list: old password fails with 3, new works', async () => {
    const { store, work } = await setup('passwd');
    const root = path.join(store, 'backups', 'vault');
    const dataOf = (m: Map<string, string>) =>
      new Map([...m].filter(([k]) => !k.startsWith('keys/') && k !== 'keyring.json' && !k.startsWith('locks/')));
    const beforeAll = await fileHashes(root);
    const keysBefore = await listFiles(path.join(root, 'keys'));
    assert.equal(keysBefore.length, 1);
    assert.ok([...beforeAll.keys()].some((k) => k.startsWith('packs/')), 'the backup has packs');
    assert.ok([...beforeAll.keys()].some((k) => k.startsWith('index/')), 'the backup has an index');
    assert.ok([...beforeAll.keys()].some((k) => k.startsWith('versions/')), 'the backup has a version');

    const r = await runOk(['passwd', 'vault'], { store, env: { DVOM_PASSWORD: 'pw1', DVOM_NEW_PASSWORD: 'pw2' } });
    assert.match(r.stdout, /^Password of backup 'vault' changed$/m);

    const afterAll = await fileHashes(root);
    assert.deepEqual(dataOf(afterAll), dataOf(beforeAll), 'config, packs, index and versions are byte-identical');
    const keysAfter = await listFiles(path.join(root, 'keys'));
    assert.equal(keysAfter.length, 1);
    assert.notDeepEqual(keysAfter, keysBefore, 'the key file was replaced');

    const old = await runDvom(['verify', 'vault'], { store, env: { DVOM_PASSWORD: 'pw1' } });
    assert.equal(old.code, 3);
    assert.match(old.stderr, /wrong password for backup 'vault'/);
    const target = path.join(work, 'out');
    await runOk(['restore', '--snapshot=vault', `--target-dir=${target}`], { store, env: { DVOM_PASSWORD: 'pw2' } });
    assert.deepEqual(await manifest(target), expected);

    const noNew = await runDvom(['passwd', 'vault'], { store, env: { DVOM_PASSWORD: 'pw2' } });
    assert.equal(noNew.code, 2);
    assert.match(noNew.stderr, /DVOM_NEW_PASSWORD/);
    const wrongOld = await runDvom(['passwd', 'vault'], { store, env: { DVOM_PASSWORD: 'pw1', DVOM_NEW_PASSWORD: 'pw3' } });
    assert.equal(wrongOld.code, 3);
    assert.deepEqual(await listFiles(path.join(root, 'keys')), keysAfter);
  });

  test('--encrypt on an existing plain backup is refused', async () => {
    const { store } = await setup('encplain');
    const r = await runDvom(['backup', `--path=${src}`, '--name=plain', '--encrypt'], { store, env: { DVOM_PASSWORD: 'pw' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: backup 'plain' exists and is not encrypted; encryption is chosen when a backup is created/m);
    const versions = JSON.parse((await runOk(['versions', 'plain', '--json'], { store })).stdout) as unknown[];
    assert.equal(versions.length, 1, 'no version was added');
    assert.equal(await exists(path.join(store, 'backups', 'plain', 'keys')), false);

    const pw = await runDvom(['backup', `--path=${src}`, '--name=newplain', '--password=x'], { store });
    assert.equal(pw.code, 2);
    assert.match(pw.stderr, /--encrypt was not/);
    assert.equal(await exists(path.join(store, 'backups', 'newplain')), false);
  });

  test('key list, add and remove', async () => {
    const { store, work } = await setup('keys');
    const env1 = { DVOM_PASSWORD: 'pw1' };
    const listKeys = async (env: Record<string, string>) => {
      const out = (await runOk(['key', 'list', 'vault'], { store, env })).stdout.trimEnd().split('\n');
      assert.match(out[0]!, /^ID\s+KIND\s+CREATED\s+LABEL$/);
      return out.slice(1).map((l) => ({ current: l.startsWith('*'), id: l.slice(1, 17), kind: l.slice(17).trim().split(/\s+/)[0] }));
    };
    const first = await listKeys(env1);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.current, true);
    assert.equal(first[0]!.kind, 'password');
    const firstId = first[0]!.id;
    assert.match(firstId, /^[0-9a-f]{16}$/);

    const added = await runOk(['key', 'add', 'vault'], { store, env: { ...env1, DVOM_NEW_PASSWORD: 'second' } });
    const addedId = /^Added key ([0-9a-f]{16}) to backup 'vault'$/m.exec(added.stdout)?.[1];
    assert.ok(addedId, added.stdout);

    const rawKey = randomBytes(32).toString('base64');
    const keyFile = path.join(work, 'raw.b64');
    await fs.writeFile(keyFile, rawKey);
    await runOk(['key', 'add', 'vault', `--new-key-file=${keyFile}`], { store, env: env1 });

    const viaSecond = await listKeys({ DVOM_PASSWORD: 'second' });
    assert.equal(viaSecond.length, 3);
    assert.deepEqual(viaSecond.filter((k) => k.current).map((k) => k.id), [addedId], 'the key unlocked with is marked');
    assert.deepEqual(viaSecond.map((k) => k.kind).sort(), ['password', 'password', 'raw-key']);
    await runOk(['verify', 'vault'], { store, env: { DVOM_KEY: rawKey } });

    const self = await runDvom(['key', 'remove', 'vault', addedId], { store, env: { DVOM_PASSWORD: 'second' } });
    assert.equal(self.code, 2);
    assert.match(self.stderr, /refusing to remove the key you unlocked with/);

    await runOk(['key', 'remove', 'vault', firstId], { store, env: { DVOM_PASSWORD: 'second' } });
    const gone = await runDvom(['verify', 'vault'], { store, env: env1 });
    assert.equal(gone.code, 3, 'the removed password no longer opens the backup');
    const target = path.join(work, 'out');
    await runOk(['restore', '--snapshot=vault', `--target-dir=${target}`], { store, env: { DVOM_PASSWORD: 'second' } });
    assert.deepEqual(await manifest(target), expected);

    const missing = await runDvom(['key', 'remove', 'vault', '0123456789abcdef'], { store, env: { DVOM_PASSWORD: 'second' } });
    assert.equal(missing.code, 4);
    const noId = await runDvom(['key', 'remove', 'vault'], { store, env: { DVOM_PASSWORD: 'second' } });
    assert.equal(noId.code, 2);
    const badAction = await runDvom(['key', 'rotate', 'vault'], { store, env: { DVOM_PASSWORD: 'second' } });
    assert.equal(badAction.code, 2);
    assert.match(badAction.stderr, /unknown key action 'rotate'/);
    assert.equal((await listKeys({ DVOM_KEY: rawKey })).length, 2);
  });

  test('after key remove, the key list from before it, put back with the removed key file, is refused', async () => {
    const { store } = await setup('keyrollback');
    const root = path.join(store, 'backups', 'vault');
    const firstId = (await listFiles(path.join(root, 'keys')))[0]!.replace(/\.json$/, '');
    assert.match(firstId, /^[0-9a-f]{16}$/);
    await runOk(['key', 'add', 'vault'], { store, env: { DVOM_PASSWORD: 'pw1', DVOM_NEW_PASSWORD: 'second' } });
    const keyringBefore = await fs.readFile(path.join(root, 'keyring.json'));
    const removedFile = await fs.readFile(path.join(root, 'keys', `${firstId}.json`));

    await runOk(['key', 'remove', 'vault', firstId], { store, env: { DVOM_PASSWORD: 'second' } });
    await fs.writeFile(path.join(root, 'keyring.json'), keyringBefore);
    await fs.writeFile(path.join(root, 'keys', `${firstId}.json`), removedFile);

    const back = await runDvom(['verify', 'vault'], { store, env: { DVOM_PASSWORD: 'pw1' } });
    assert.equal(back.code, 5, back.stderr);
    assert.match(back.stderr, /key list of backup 'vault' is older than one this machine has seen/);
  });

  test('key add on a plain backup is refused', async () => {
    const { store } = await setup('keyplain');
    const r = await runDvom(['key', 'add', 'plain'], { store, env: { DVOM_NEW_PASSWORD: 'x' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not encrypted/);
    assert.equal(await exists(path.join(store, 'backups', 'plain', 'keys')), false);
  });
});
