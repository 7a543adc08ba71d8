/**
 * The shared config file (storage targets): reading, atomic owner-only
 * writing, validation errors that name the field, refusing a plain-text
 * secret other users can read, redaction, how the CLI picks a store from it,
 * and the `dvom target` / `dvom config` commands.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { LocalBackend } from '../../src/main/engine/index.ts';
import { configPath, readConfig, updateConfig, writeConfig } from '../../src/main/config/config-file.ts';
import { emptyConfig, holdsSecrets, redactConfig, type DvomConfig } from '../../src/main/config/config-schema.ts';
import { openStore } from '../../src/main/config/open-store.ts';
import { S3Backend } from '../../src/main/engine/storage/s3-backend.ts';
import { KeychainUnavailableError, type SecretKind, type SecretStore } from '../../src/main/secrets/secret-store.ts';
import { assertDvomError } from '../engine/helpers.ts';
import { filesContaining, makeCliUser, type CliUser } from './dvom-cli.ts';

const SECRET = 'inline-secret-key-0123456789abcdef';
const dirs: string[] = [];
const users: CliUser[] = [];

after(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  for (const user of users) user.remove();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-config-test-'));
  dirs.push(dir);
  return dir;
}

function cliUser(): CliUser {
  const user = makeCliUser('config');
  users.push(user);
  return user;
}

function writeRaw(file: string, content: unknown, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  fs.chmodSync(file, mode);
}

const s3WithSecret = (): DvomConfig => ({
  schedules: [],
  schedulesPaused: false,
  version: 1,
  targets: {
    offsite: { type: 's3', bucket: 'my-bucket', endpoint: 'http://127.0.0.1:9/', accessKeyId: 'AKID', secretAccessKey: SECRET },
    home: { type: 'local', path: '/srv/backups' },
  },
  docker: {},
});

/** A keychain stand-in: answers from a map, or fails like a missing Secret Service. */
function fakeSecrets(values: Record<string, string>, unavailable = false): SecretStore {
  const fail = () => Promise.reject(new KeychainUnavailableError('Secret Service keyring', new Error('no D-Bus')));
  return {
    name: 'Secret Service keyring',
    get: (kind: SecretKind, name: string) => (unavailable ? fail() : Promise.resolve(values[`${kind}:${name}`])),
    set: () => (unavailable ? fail() : Promise.resolve()),
    delete: () => (unavailable ? fail() : Promise.resolve(false)),
  };
}

describe('config file', () => {
  test('a missing file reads as an empty config', async () => {
    const file = path.join(tempDir(), 'nope', 'config.json');
    assert.deepEqual(await readConfig(file), { version: 1, targets: {}, docker: {}, schedules: [], schedulesPaused: false });
    assert.deepEqual(await readConfig(file), emptyConfig());
    assert.equal(fs.existsSync(path.dirname(file)), false, 'reading created the folder');
  });

  test('configPath follows DVOM_CONFIG, else XDG_CONFIG_HOME', () => {
    const saved = { DVOM_CONFIG: process.env.DVOM_CONFIG, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
    try {
      process.env.DVOM_CONFIG = 'relative/config.json';
      assert.equal(configPath(), path.resolve('relative/config.json'));
      delete process.env.DVOM_CONFIG;
      process.env.XDG_CONFIG_HOME = '/xdg/conf';
      if (process.platform === 'linux') assert.equal(configPath(), '/xdg/conf/dvom/config.json');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('writeConfig creates a 0600 file in a 0700 folder, atomically, and reads back', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a', 'b', 'config.json');
    const config = s3WithSecret();
    config.defaultTarget = 'home';
    await writeConfig(config, file);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'a', 'b')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, 'a')).mode & 0o777, 0o700);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['config.json'], 'no temporary file is left');
    assert.deepEqual(await readConfig(file), config);

    // Rewriting a file someone loosened (no secret in it, so it is readable) makes it owner-only again.
    await updateConfig((c) => {
      delete c.targets.offsite;
    }, file);
    fs.chmodSync(file, 0o644);
    await updateConfig((c) => {
      c.targets.nas = { type: 'local', path: '/mnt/nas' };
    }, file);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(Object.keys((await readConfig(file)).targets).sort(), ['home', 'nas']);
  });

  test('writeConfig refuses an invalid config and leaves the file as it was', async () => {
    const file = path.join(tempDir(), 'config.json');
    await writeConfig(s3WithSecret(), file);
    const before = fs.readFileSync(file, 'utf8');
    const bad = s3WithSecret();
    (bad.targets.offsite as { bucket: string }).bucket = 'Not_A_Bucket';
    await assert.rejects(writeConfig(bad, file));
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['config.json']);
  });

  test('invalid JSON is a usage error naming the file', async () => {
    const file = path.join(tempDir(), 'config.json');
    writeRaw(file, '{ "version": 1, "targets": { ');
    const err = await assertDvomError(readConfig(file), 'USAGE', /is not valid JSON/);
    assert.ok(err.message.includes(file));
    assert.equal(err.exitCode, 2);
  });

  test('schema errors are usage errors naming the field', async () => {
    const file = path.join(tempDir(), 'config.json');
    const cases: [unknown, RegExp][] = [
      [{ version: 2, targets: {} }, /: version: /],
      [[], /: \(top level\): /],
      [{ version: 1, targets: { nas: { type: 'ftp', path: '/x' } } }, /: targets\.nas\.type: /],
      [{ version: 1, targets: { nas: { type: 'local' } } }, /: targets\.nas\.path: /],
      [{ version: 1, targets: { cloud: { type: 's3', bucket: 'Upper_Case' } } }, /: targets\.cloud\.bucket: an S3 bucket name/],
      [{ version: 1, targets: { cloud: { type: 's3', bucket: 'fine-bucket', endpoint: 'not a url' } } }, /: targets\.cloud\.endpoint: /],
      [{ version: 1, targets: { cloud: { type: 's3', bucket: 'fine-bucket', pathStyle: 'yes' } } }, /: targets\.cloud\.pathStyle: /],
      [{ version: 1, targets: { 'bad name!': { type: 'local', path: '/x' } } }, /: targets\.bad name!: /],
      [{ version: 1, defaultTarget: '-x', targets: {} }, /: defaultTarget: /],
    ];
    for (const [content, message] of cases) {
      writeRaw(file, content);
      const err = await assertDvomError(readConfig(file), 'USAGE', message);
      assert.ok(err.message.startsWith(`config file ${file}: `), err.message);
    }
  });

  test(
    'an invalid target name in the file is explained with the rule for names',
    async () => {
      const file = path.join(tempDir(), 'config.json');
      writeRaw(file, { version: 1, targets: { 'bad name!': { type: 'local', path: '/x' } } });
      await assertDvomError(readConfig(file), 'USAGE', /targets\.bad name!: target name 'bad name!': use letters, digits/);
    },
  );

  test('an inline secretAccessKey in a file others can read is refused with the chmod fix; 0600 is accepted', async () => {
    const file = path.join(tempDir(), 'config.json');
    for (const mode of [0o644, 0o640, 0o604]) {
      writeRaw(file, s3WithSecret(), mode);
      const err = await assertDvomError(readConfig(file), 'USAGE', /holds a secret key but other users can read it/);
      assert.ok(err.message.includes(`chmod 600 ${file}`), err.message);
      assert.ok(err.message.includes(`mode ${mode.toString(8)}`), err.message);
      assert.ok(!err.message.includes(SECRET), 'the error shows the secret');
    }
    writeRaw(file, s3WithSecret(), 0o600);
    const config = await readConfig(file);
    assert.equal(config.targets.offsite?.type === 's3' && config.targets.offsite.secretAccessKey, SECRET);
    // Without a secret, a readable file is fine.
    const noSecret = s3WithSecret();
    delete (noSecret.targets.offsite as { secretAccessKey?: string }).secretAccessKey;
    writeRaw(file, noSecret, 0o644);
    assert.deepEqual(await readConfig(file), noSecret);
  });

  test('redactConfig hides secrets without changing the config', () => {
    const config = s3WithSecret();
    assert.equal(holdsSecrets(config), true);
    const shown = redactConfig(config);
    assert.ok(!JSON.stringify(shown).includes(SECRET));
    assert.deepEqual(shown.targets.offsite, { ...config.targets.offsite, secretAccessKey: '(hidden)' });
    assert.deepEqual(shown.targets.home, config.targets.home);
    assert.equal(config.targets.offsite?.type === 's3' && config.targets.offsite.secretAccessKey, SECRET, 'redaction changed the original');
    delete (config.targets.offsite as { secretAccessKey?: string }).secretAccessKey;
    assert.equal(holdsSecrets(config), false);
    assert.deepEqual(redactConfig(config), config);
  });
});

describe('choosing the store', () => {
  const config = (): DvomConfig => ({
    schedules: [],
    schedulesPaused: false,
    version: 1,
    defaultTarget: 'home',
    targets: {
      home: { type: 'local', path: '/srv/home-store' },
      vault: { type: 's3', bucket: 'vault-bucket', prefix: 'dvom', endpoint: 'http://127.0.0.1:9', accessKeyId: 'AKID' },
      inline: { type: 's3', bucket: 'inline-bucket', accessKeyId: 'AKID', secretAccessKey: SECRET },
    },
    docker: {},
  });

  test('--target, --backup-dir, the default target and ad-hoc S3 flags', async () => {
    const secrets = fakeSecrets({ 's3-secret-key:target:vault': 'from-keychain' });
    const saved = process.env.DVOM_BACKUP_DIR;
    delete process.env.DVOM_BACKUP_DIR;
    try {
      const byDefault = await openStore({}, config(), secrets);
      assert.ok(byDefault instanceof LocalBackend);
      assert.equal(byDefault.location, '/srv/home-store');
      assert.equal((await openStore({ backupDir: '/tmp/explicit' }, config(), secrets)).location, '/tmp/explicit');
      const vault = await openStore({ target: 'vault' }, config(), secrets);
      assert.ok(vault instanceof S3Backend);
      assert.equal(vault.location, 's3://vault-bucket/dvom/');
      vault.destroy();
      const inline = await openStore({ target: 'inline' }, config(), fakeSecrets({}, true));
      assert.equal(inline.location, 's3://inline-bucket/', 'an inline secret needs no keychain');
      (inline as S3Backend).destroy();
      const adHoc = await openStore({ s3: { bucket: 'ad-hoc-bucket', prefix: 'p' } }, config(), secrets);
      assert.equal(adHoc.location, 's3://ad-hoc-bucket/p/');
      (adHoc as S3Backend).destroy();
      process.env.DVOM_BACKUP_DIR = '/tmp/from-env';
      assert.equal((await openStore({}, config(), secrets)).location, '/tmp/from-env', 'DVOM_BACKUP_DIR wins over the default target');
    } finally {
      if (saved === undefined) delete process.env.DVOM_BACKUP_DIR;
      else process.env.DVOM_BACKUP_DIR = saved;
    }
  });

  test('unknown targets, bad S3 flags and missing secrets are reported', async () => {
    await assertDvomError(openStore({ target: 'nope' }, config(), fakeSecrets({})), 'USAGE', /no storage target named 'nope'/);
    await assertDvomError(openStore({ s3: { bucket: 'Bad_Bucket' } }, config(), fakeSecrets({})), 'USAGE', /^--s3-bucket: an S3 bucket name/);
    await assertDvomError(openStore({ s3: { bucket: 'ok-bucket', endpoint: 'nope' } }, config(), fakeSecrets({})), 'USAGE', /^--s3-endpoint: /);
    await assertDvomError(
      openStore({ target: 'vault' }, config(), fakeSecrets({}, true)),
      'ERROR',
      /the S3 secret key of target 'vault' is kept in the keychain, but the Secret Service keyring is not available/,
    );
    await assertDvomError(openStore({ target: 'vault' }, config(), fakeSecrets({})), 'USAGE', /target 'vault' has access key AKID but no secret key/);
  });

  test(
    'the fix suggested for a missing secret key is a command that exists',
    async () => {
      const err = await assertDvomError(openStore({ target: 'vault' }, config(), fakeSecrets({})), 'USAGE', /store it with dvom target add vault/);
      const flag = /(--[a-z0-9-]*secret-stdin)/.exec(err.message)?.[1];
      assert.ok(flag, err.message);
      const user = cliUser();
      const r = await user.run(['target', 'add', 'vault', '--type=s3', '--s3-bucket=vault-bucket', '--access-key=AKID', flag], { input: 'x\n' });
      assert.doesNotMatch(r.stderr, /Unknown option/, `the suggested ${flag} does not exist: ${r.stderr}`);
    },
  );
});

describe('dvom target and dvom config', () => {
  test('target add, list, use as default, remove', async () => {
    const user = cliUser();
    const store = path.join(user.home, 'stores', 'nas');
    const none = await user.ok(['target', 'list']);
    assert.match(none.stdout, /No storage targets/);

    const added = await user.ok(['target', 'add', 'nas', '--type=local', `--path=${store}`, '--default']);
    assert.match(added.stdout, new RegExp(`Added target 'nas': ${store}`));
    await user.ok(['target', 'add', 'cloud', '--type=s3', '--s3-bucket=cloud-bucket', '--s3-endpoint=http://127.0.0.1:9', '--s3-path-style', '--s3-prefix=team/a']);
    assert.equal(fs.statSync(user.configFile).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(fs.readFileSync(user.configFile, 'utf8')), {
      version: 1,
      defaultTarget: 'nas',
      targets: {
        nas: { type: 'local', path: store },
        cloud: { type: 's3', bucket: 'cloud-bucket', prefix: 'team/a', endpoint: 'http://127.0.0.1:9', pathStyle: true },
      },
      docker: {},
      schedules: [],
      schedulesPaused: false,
    });

    const listed = await user.ok(['target', 'list']);
    assert.match(listed.stdout, /^NAME\s+TYPE\s+LOCATION/m);
    assert.match(listed.stdout, new RegExp(`^nas \\*\\s+local\\s+${store}$`, 'm'));
    assert.match(listed.stdout, /^cloud\s+s3\s+s3:\/\/cloud-bucket\/team\/a at http:\/\/127\.0\.0\.1:9$/m);

    // No store flags: the default target is used.
    const data = path.join(user.home, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'f.txt'), 'x');
    await user.ok(['backup', `--path=${data}`, '--name=docs']);
    assert.ok(fs.existsSync(path.join(store, 'backups', 'docs', 'config.json')), 'the backup went to the default target');
    const shown = await user.ok(['list']);
    assert.match(shown.stdout, /^docs\s/m);

    const unknown = await user.run(['list', '--target=unknown']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no storage target named 'unknown' \(see: dvom target list\)/);

    const removed = await user.ok(['target', 'remove', 'nas']);
    assert.match(removed.stdout, /Removed target 'nas' \(its backups were not touched\)/);
    assert.ok(fs.existsSync(path.join(store, 'backups', 'docs', 'config.json')));
    const config = JSON.parse(fs.readFileSync(user.configFile, 'utf8')) as DvomConfig;
    assert.deepEqual(Object.keys(config.targets), ['cloud']);
    assert.equal(config.defaultTarget, undefined, 'removing the default target clears the default');
    assert.doesNotMatch((await user.ok(['target', 'list'])).stdout, /nas/);

    const again = await user.run(['target', 'remove', 'nas']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /no storage target named 'nas'/);
  });

  test('target add rejects bad input without touching the config', async () => {
    const user = cliUser();
    const cases: [string[], RegExp][] = [
      [['target', 'add', 'x', '--type=local'], /--path=DIR is required/],
      [['target', 'add', 'bad/name', '--type=local', '--path=/x'], /a target name/],
      [['target', 'add', 'x', '--type=s3', '--s3-bucket=No_Such'], /invalid target: bucket: an S3 bucket name/],
      [['target', 'add', 'x', '--type=s3', '--s3-bucket=good-bucket', '--s3-endpoint=nope'], /invalid target: endpoint: /],
      [['target', 'add', 'x', '--type=s3', '--s3-bucket=good-bucket', '--access-key=AKID'], /--access-key needs --secret-stdin/],
      [['target', 'add', 'x', '--type=s3', '--s3-bucket=good-bucket', '--access-key=AKID', '--secret-key=abc'], /Unknown option '--secret-key'/],
      [['target', 'frobnicate', 'x'], /unknown target action 'frobnicate'/],
    ];
    const results = await Promise.all(cases.map(([args]) => user.run(args)));
    cases.forEach(([args, message], i) => {
      assert.equal(results[i]!.code, 2, `${args.join(' ')}: ${results[i]!.stderr}`);
      assert.match(results[i]!.stderr, message);
    });
    // A secret on stdin but no keychain: fails, and the secret is written nowhere.
    const r = await user.run(['target', 'add', 'x', '--type=s3', '--s3-bucket=good-bucket', '--access-key=AKID', '--secret-stdin'], {
      input: `${SECRET}\n`,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /the Secret Service keyring is not available/);
    assert.equal(fs.existsSync(user.configFile), false, 'the target was added although its secret could not be stored');
    assert.deepEqual(filesContaining(user.home, SECRET), []);
  });

  test('store flags: --s3-* needs --storage=s3, --storage must be local or s3, --storage=s3 needs a bucket', async () => {
    const user = cliUser();
    const cases: [string[], RegExp][] = [
      [['list', '--s3-bucket=some-bucket'], /--s3-\* options need --storage=s3/],
      [['list', '--s3-endpoint=http://127.0.0.1:9'], /--s3-\* options need --storage=s3/],
      [['list', '--storage=local', '--s3-bucket=some-bucket'], /--s3-\* options need --storage=s3/],
      [['list', '--storage=ftp'], /--storage must be 'local' or 's3', not 'ftp'/],
      [['list', '--storage=s3'], /--storage=s3 needs --s3-bucket=BUCKET/],
      [['list', '--storage=s3', '--s3-bucket=Bad_Bucket'], /--s3-bucket: an S3 bucket name/],
      [['list', '--storage=s3', '--s3-bucket=fine-bucket', '--s3-endpoint=not-a-url'], /--s3-endpoint: /],
    ];
    const results = await Promise.all(cases.map(([args]) => user.run(args)));
    cases.forEach(([args, message], i) => {
      assert.equal(results[i]!.code, 2, `${args.join(' ')}: ${results[i]!.stderr}`);
      assert.match(results[i]!.stderr, message);
    });
  });

  test('the CLI refuses a broken or exposed config file with exit 2 and shows secrets hidden', async () => {
    const user = cliUser();
    writeRaw(user.configFile, '{ not json');
    let r = await user.run(['list']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`config file ${user.configFile} is not valid JSON`));

    writeRaw(user.configFile, { version: 1, targets: { t: { type: 's3', bucket: 'x' } } });
    r = await user.run(['config']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /targets\.t\.bucket: an S3 bucket name/);

    writeRaw(user.configFile, s3WithSecret(), 0o644);
    r = await user.run(['config']);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(`chmod 600 ${user.configFile}`), r.stderr);
    assert.ok(!r.stderr.includes(SECRET));

    fs.chmodSync(user.configFile, 0o600);
    r = await user.ok(['config']);
    assert.ok(r.stdout.startsWith(`# ${user.configFile}\n`), r.stdout);
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'dvom config shows the secret');
    const shown = JSON.parse(r.stdout.slice(r.stdout.indexOf('\n') + 1)) as DvomConfig;
    assert.deepEqual(shown, redactConfig(s3WithSecret()));
    const targets = await user.ok(['target', 'list']);
    assert.ok(!targets.stdout.includes(SECRET));
  });
});
