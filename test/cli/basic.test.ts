import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { coarseBytes } from '../../src/main/engine/repo/version-file.ts';
import {
  cloneStore,
  exists,
  fileHashes,
  makeSmallDataset,
  manifest,
  removeAll,
  runDvom,
  runOk,
  siblingsStartingWith,
  tempDir,
} from './run-dvom.ts';

const COMMANDS = ['backup', 'restore', 'list', 'info', 'versions', 'verify', 'delete', 'forget', 'prune', 'unlock', 'passwd', 'key'];
const HEADER = /^BACKUP NAME\s+LATEST VERSION\s+SIZE\s+VERSIONS\s+ENCRYPTED\s+VOLUME$/;

describe('dvom usage errors', { concurrency: true }, () => {
  let store: string;
  before(async () => {
    store = await tempDir('usage');
  });
  after(() => removeAll(store));

  test('--help lists every command and exits 0', async () => {
    const r = await runDvom(['--help'], { store });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: dvom COMMAND/m);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c}\\s+\\S`, 'm'), `help lists '${c}'`);
    assert.match(r.stdout, /Exit codes: 0 ok, 1 error, 2 usage, 3 wrong password/);
  });

  test('no command prints help and exits 2', async () => {
    const r = await runDvom([], { store });
    assert.equal(r.code, 2);
    assert.match(r.stdout, /Commands:/);
  });

  test('a command --help prints its usage', async () => {
    const r = await runDvom(['restore', '--help'], { store });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: dvom restore --snapshot=/);
  });

  test('unknown command exits 2 and names it', async () => {
    const r = await runDvom(['frobnicate'], { store });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: unknown command 'frobnicate'/);
  });

  test('unknown option exits 2 and names the option', async () => {
    const r = await runDvom(['list', '--bogus-flag'], { store });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: .*--bogus-flag/);
    assert.match(r.stderr, /Usage: dvom list/);
  });

  test('backup without --path exits 2', async () => {
    const r = await runDvom(['backup', '--name=x'], { store });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: .*--path=DIR.* is required/);
    assert.equal(await exists(path.join(store, 'backups', 'x')), false);
  });

  test('backup without --name exits 2', async () => {
    const r = await runDvom(['backup', `--path=${store}`], { store });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: --name=NAME is required/);
  });

  test('backup of a missing folder exits 4', async () => {
    const r = await runDvom(['backup', `--path=${path.join(store, 'nope')}`, '--name=x'], { store });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /^Error: folder '.*nope' does not exist/);
  });

  test('wrong number of arguments exits 2', async () => {
    const r = await runDvom(['info'], { store });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: wrong number of arguments/);
  });

  test('restore without --target-dir or --dry-run exits 2', async () => {
    const r = await runDvom(['restore', '--snapshot=x'], { store });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: .*--target-dir=DIR/);
  });

  test('invalid backup names exit 2', async () => {
    const src = await tempDir('badname-src');
    try {
      await fs.writeFile(path.join(src, 'f'), 'x');
      for (const args of [
        ['backup', `--path=${src}`, '--name=../x'],
        ['info', '../x'],
        ['restore', '--snapshot=a/b', '--dry-run'],
      ]) {
        const r = await runDvom(args, { store });
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /^Error: invalid backup name/);
      }
      assert.equal(await exists(path.join(store, 'x')), false);
    } finally {
      await removeAll(src);
    }
  });

  test('info, versions and restore of a missing backup exit 4', async () => {
    for (const args of [['info', 'missing'], ['versions', 'missing'], ['restore', '--snapshot=missing', '--dry-run']]) {
      const r = await runDvom(args, { store });
      assert.equal(r.code, 4, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^Error: backup 'missing' not found/);
    }
  });

  test('list of an empty store says so', async () => {
    const empty = await tempDir('empty-store');
    try {
      const r = await runOk(['list'], { store: empty });
      assert.match(r.stdout, /^No backups in /);
      const j = await runOk(['list', '--json'], { store: empty });
      assert.deepEqual(JSON.parse(j.stdout), []);
    } finally {
      await removeAll(empty);
    }
  });
});

describe('dvom backup, list, info, versions, restore', { concurrency: true }, () => {
  let store: string;
  let src: string;
  let work: string;
  let plainVersion: string;
  let encVersion: string;
  let plainStderr: string;
  let encStderr: string;
  /** A copy of the store taken before any test ran, for tests that change it. */
  let template: string;
  const env = { DVOM_PASSWORD: 'correct horse' };

  before(async () => {
    store = await tempDir('basic-store');
    src = await tempDir('basic-src');
    work = await tempDir('basic-work');
    await makeSmallDataset(src);
    const plain = await runOk(['backup', `--path=${src}`, '--name=plain'], { store });
    plainVersion = plain.stdout.trim();
    plainStderr = plain.stderr;
    const enc = await runOk(['backup', `--path=${src}`, '--name=secret', '--encrypt'], { store, env });
    encVersion = enc.stdout.trim();
    encStderr = enc.stderr;
    // Tests that change a store work on a copy taken now (before any test ran).
    template = await cloneStore(store, 'basic-template');
  });
  after(() => removeAll(store, src, work, template));
  const storeTemplate = () => template;

  test('backup prints the new version id on stdout and a summary on stderr', () => {
    assert.match(plainVersion, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    assert.match(encVersion, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    assert.match(plainStderr, new RegExp(`^Created version ${plainVersion} of backup 'plain': 5 files, `, 'm'));
    assert.match(encStderr, /^Creating encrypted backup 'secret'$/m);
    assert.match(encStderr, new RegExp(`^Created version ${encVersion} of backup 'secret' \\(encrypted\\): 5 files, `, 'm'));
  });

  test('list shows a table with both backups, needing no password', async () => {
    const r = await runOk(['list'], { store });
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, HEADER);
    assert.equal(lines.length, 3);
    const plainRow = lines.find((l) => l.startsWith('plain '));
    const secretRow = lines.find((l) => l.startsWith('secret '));
    assert.ok(plainRow && secretRow, r.stdout);
    const cols = (l: string) => l.split(/\s{2,}/);
    // name, date, size, versions, encrypted, volume
    assert.equal(cols(plainRow)[3], '1');
    assert.equal(cols(plainRow)[4], 'No');
    assert.equal(cols(plainRow)[5], '(folder)');
    assert.equal(cols(secretRow)[4], 'Yes');
    assert.match(cols(plainRow)[1]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  test('list --json has the expected fields', async () => {
    const r = await runOk(['list', '--json'], { store });
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(list.map((b) => b.name), ['plain', 'secret']);
    const [plain, secret] = list as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(plain.encrypted, false);
    assert.equal(secret.encrypted, true);
    assert.equal(plain.versions, 1);
    assert.equal(plain.latestVersion, plainVersion);
    assert.equal(secret.latestVersion, encVersion);
    assert.equal(plain.type, 'path');
    assert.deepEqual(plain.volumes, []);
    assert.equal(typeof plain.size, 'number');
    assert.ok((plain.size as number) > 300 * 1024, `size ${String(plain.size)}`);
    assert.equal(typeof plain.storedSize, 'number');
    assert.ok((plain.storedSize as number) > 0);
    assert.equal(typeof plain.createdAt, 'string');
    assert.ok(!Number.isNaN(Date.parse(plain.latestCreatedAt as string)));
  });

  test('info of an encrypted backup needs no password', async () => {
    const r = await runOk(['info', 'secret'], { store });
    assert.match(r.stdout, /^Backup: secret$/m);
    assert.match(r.stdout, /^Encrypted: true$/m);
    assert.match(r.stdout, /^Volumes: 0$/m);
    assert.match(r.stdout, /^Versions: 1$/m);
    assert.match(r.stdout, new RegExp(`^Latest version: ${encVersion} `, 'm'));
    assert.match(r.stdout, /^Key derivation: scrypt N=1024 r=8 p=1$/m);
    assert.match(r.stdout, /^Type: folder$/m);
    assert.doesNotMatch(r.stderr, /password/i);
  });

  test('info of a plain backup says Encrypted: false', async () => {
    const r = await runOk(['info', 'plain'], { store });
    assert.match(r.stdout, /^Backup: plain$/m);
    assert.match(r.stdout, /^Encrypted: false$/m);
    assert.doesNotMatch(r.stdout, /Key derivation/);
  });

  test('info --json has the expected fields', async () => {
    const r = await runOk(['info', 'secret', '--json'], { store });
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(info.name, 'secret');
    assert.equal(info.encrypted, true);
    assert.equal(info.versions, 1);
    assert.equal(info.latestVersion, encVersion);
    assert.deepEqual(info.volumes, []);
    assert.equal(info.kdf, 'scrypt N=1024 r=8 p=1');
    assert.equal(typeof info.totalVersionBytes, 'number');
    assert.equal(info.totalVersionBytes, info.size);
  });

  test('versions lists the version without a password; --json has stats and no tree root', async () => {
    const r = await runOk(['versions', 'secret'], { store });
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^VERSION\s+CREATED\s+FILES\s+SIZE\s+ADDED\s+VERIFIED\s+VOLUMES\s+ENGINE$/);
    assert.equal(lines.length, 2);
    assert.ok(lines[1]!.startsWith(encVersion), r.stdout);
    const j = await runOk(['versions', 'secret', '--json'], { store });
    const versions = JSON.parse(j.stdout) as Record<string, unknown>[];
    assert.equal(versions.length, 1);
    const v = versions[0]!;
    assert.equal(v.id, encVersion);
    assert.equal(v.sourceKind, 'path');
    assert.equal('root' in v, false, 'the tree root is not printed');
    const stats = v.stats as Record<string, number>;
    assert.equal(stats.files, 5); // hello.txt, empty.bin, text.md, random.bin, script.sh
    assert.equal(stats.links, 1);
    // No password at hand: an encrypted backup's sizes are listed coarse (L1).
    assert.equal(stats.bytes, coarseBytes(12 + 0 + 8 * 5000 + 300 * 1024 + 17 + 18));
  });

  test('restore round trip is byte-identical (plain and encrypted)', async () => {
    const expected = await manifest(src);
    for (const [name, extraEnv] of [['plain', {}], ['secret', env]] as const) {
      const target = path.join(work, `rt-${name}`);
      const r = await runOk(['restore', `--snapshot=${name}`, `--target-dir=${target}`], { store, env: extraEnv });
      assert.match(r.stderr, new RegExp(`Restored ${name} version`));
      assert.deepEqual(await manifest(target), expected);
      assert.deepEqual(await siblingsStartingWith(work, `rt-${name}.dvom-`), [], 'no staging folder left');
    }
  });

  test('restore --version picks an older version', async () => {
    const src2 = await tempDir('basic-src2');
    const store = await cloneStore(storeTemplate(), 'basic-versions');
    try {
      await fs.writeFile(path.join(src2, 'only.txt'), 'second version\n');
      const v2 = (await runOk(['backup', `--path=${src2}`, '--name=plain'], { store })).stdout.trim();
      assert.notEqual(v2, plainVersion);
      const latest = path.join(work, 'latest');
      await runOk(['restore', '--snapshot=plain', `--target-dir=${latest}`], { store });
      assert.deepEqual(await manifest(latest), await manifest(src2));
      const old = path.join(work, 'old');
      await runOk(['restore', '--snapshot=plain', `--version=${plainVersion.slice(0, 19)}`, `--target-dir=${old}`], { store });
      assert.deepEqual(await manifest(old), await manifest(src));
      const missing = await runDvom(['restore', '--snapshot=plain', '--version=19990101T000000Z-abcdef', '--dry-run'], { store });
      assert.equal(missing.code, 4);
      assert.match(missing.stderr, /has no version '19990101T000000Z-abcdef'/);
    } finally {
      await removeAll(src2, store);
    }
  });

  test('restore into a non-empty folder without --force exits 2 and leaves it untouched', async () => {
    const target = path.join(work, 'occupied');
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, 'precious.txt'), 'do not touch');
    await fs.mkdir(path.join(target, 'keep'));
    const before = await manifest(target);
    const r = await runDvom(['restore', '--snapshot=secret', `--target-dir=${target}`], { store, env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: target folder '.*occupied' is not empty; use --keep-existing or --overwrite-existing .*, or --force/);
    assert.deepEqual(await manifest(target), before);
    assert.deepEqual(await siblingsStartingWith(work, 'occupied.dvom-'), []);

    const forced = await runOk(['restore', '--snapshot=secret', `--target-dir=${target}`, '--force'], { store, env });
    assert.equal(forced.code, 0);
    assert.deepEqual(await manifest(target), await manifest(src));
    assert.equal(await exists(path.join(target, 'precious.txt')), false);
    assert.deepEqual(await siblingsStartingWith(work, 'occupied.dvom-'), [], 'no staging or old folder left');
  });

  test('--keep-existing / --overwrite-existing with --path write picked files into a folder that holds data, keeping the rest', async () => {
    const target = path.join(work, 'lived-in');
    await fs.mkdir(path.join(target, 'sub'), { recursive: true });
    await fs.writeFile(path.join(target, 'hello.txt'), 'changed since\n');
    await fs.writeFile(path.join(target, 'mine.txt'), 'only here\n');
    const kept = await runOk(['restore', '--snapshot=plain', `--target-dir=${target}`, '--path=hello.txt', '--path=sub', '--keep-existing'], { store });
    assert.match(kept.stderr, /: 2 files written, 1 kept as they were \(already there\), .*everything else left as it was/);
    assert.equal(await fs.readFile(path.join(target, 'hello.txt'), 'utf8'), 'changed since\n');
    assert.equal(await fs.readFile(path.join(target, 'mine.txt'), 'utf8'), 'only here\n');
    assert.equal(await fs.readFile(path.join(target, 'sub/text.md'), 'utf8'), await fs.readFile(path.join(src, 'sub/text.md'), 'utf8'));
    assert.equal(await exists(path.join(target, 'script.sh')), false, 'only the picked paths');
    const over = await runOk(['restore', '--snapshot=plain', `--target-dir=${target}`, '--path=hello.txt', '--overwrite-existing'], { store });
    assert.match(over.stderr, /: 1 file written \(1 replacing an existing file\)/);
    assert.equal(await fs.readFile(path.join(target, 'hello.txt'), 'utf8'), 'hello, dvom\n');
    assert.equal(await fs.readFile(path.join(target, 'mine.txt'), 'utf8'), 'only here\n');
    assert.deepEqual((await fs.readdir(target)).filter((n) => n.includes('dvom')), [], 'no staging left');
  });

  test('restore into an existing empty folder works without --force', async () => {
    const target = path.join(work, 'empty-target');
    await fs.mkdir(target);
    await runOk(['restore', '--snapshot=plain', `--version=${plainVersion}`, `--target-dir=${target}`], { store });
    assert.deepEqual(await manifest(target), await manifest(src));
  });

  test(
    'restore into a folder whose parent does not exist: restores, or fails with a clear usage/not-found error',
    async () => {
      const target = path.join(work, 'no', 'such', 'place');
      const r = await runDvom(['restore', '--snapshot=plain', `--version=${plainVersion}`, `--target-dir=${target}`], { store });
      if (r.code === 0) {
        assert.deepEqual(await manifest(target), await manifest(src));
        return;
      }
      assert.ok(r.code === 2 || r.code === 4, `exit ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, /^Error: .*no\/such\/place/m);
      assert.doesNotMatch(r.stderr, /dvom-restore-/, 'the message names the target, not an internal staging folder');
    },
  );

  test(
    'restore onto an existing file is a usage error that leaves the file alone',
    async () => {
      const file = path.join(work, 'a-file');
      await fs.writeFile(file, 'keep me');
      for (const force of [[], ['--force']]) {
        const r = await runDvom(['restore', '--snapshot=plain', `--version=${plainVersion}`, `--target-dir=${file}`, ...force], { store });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /^Error: target .*a-file.* is not a folder/m);
        assert.equal(await fs.readFile(file, 'utf8'), 'keep me');
      }
    },
  );

  test('restore --dry-run checks the version, records it as verified and changes nothing else', async () => {
    const store = await cloneStore(storeTemplate(), 'basic-dry-run');
    try {
      const before = await fileHashes(store);
      const r = await runOk(['restore', '--snapshot=secret', '--dry-run'], { store, env });
      assert.match(r.stdout, new RegExp(`^Test restore of secret version ${encVersion} passed: 5 files, `));
      const after = await fileHashes(store);
      const record = `backups/secret/verified/${encVersion}.json`;
      assert.ok(after.has(record), 'the version is recorded as verified');
      after.delete(record);
      assert.deepEqual(after, before);
      const versions = await runOk(['versions', 'secret', '--json'], { store, env });
      assert.ok((JSON.parse(versions.stdout) as { verifiedAt: string | null }[])[0]?.verifiedAt, 'versions shows when it was verified');
    } finally {
      await removeAll(store);
    }
  });

  test('verify of intact backups exits 0', async () => {
    const r = await runOk(['verify', 'secret', '--read-data'], { store, env });
    assert.match(r.stdout, /^Backup 'secret' is intact: 1 versions, \d+ packs, \d+ blobs, .* read and checked/);
    const p = await runOk(['verify', 'plain'], { store });
    assert.match(p.stdout, /^Backup 'plain' is intact/);
  });

  test('--quiet suppresses messages but keeps results', async () => {
    const store = await cloneStore(storeTemplate(), 'basic-quiet');
    try {
      const r = await runOk(['backup', `--path=${src}`, '--name=plain', '--quiet'], { store });
      assert.match(r.stdout.trim(), /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
      assert.equal(r.stderr, '');
    } finally {
      await removeAll(store);
    }
  });

  test('--backup-dir overrides DVOM_BACKUP_DIR', async () => {
    const other = await tempDir('other-store');
    try {
      await runOk(['backup', `--path=${src}`, '--name=elsewhere', `--backup-dir=${other}`], { store });
      assert.equal(await exists(path.join(other, 'backups', 'elsewhere', 'config.json')), true);
      assert.equal(await exists(path.join(store, 'backups', 'elsewhere')), false);
      const r = await runDvom(['info', 'elsewhere'], { store });
      assert.equal(r.code, 4);
    } finally {
      await removeAll(other);
    }
  });
});
