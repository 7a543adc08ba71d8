/**
 * The OS keychain (Secret Service on Linux) and the CLI's remembered
 * passwords. The tests that need a live keychain run inside a D-Bus session
 * with an unlocked gnome-keyring (as CI does) and are skipped otherwise; the
 * "no keychain" behaviour is tested everywhere, against a D-Bus address that
 * does not exist.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { LocalBackend, Repository } from '../../src/main/engine/index.ts';
import { passwordAccount } from '../../src/main/secrets/accounts.ts';
import { KEYCHAIN_SERVICE, OsKeychain, type SecretKind } from '../../src/main/secrets/secret-store.ts';
import { REPO_ROOT, filesContaining, keychainSkipReason, makeCliUser, type CliUser } from '../config/dvom-cli.ts';

const skipLive = keychainSkipReason();
const RUN = `${process.pid}-${randomBytes(4).toString('hex')}`;
const SCRYPT = { N: 1024, r: 8, p: 1 };

const users: CliUser[] = [];
const dirs: string[] = [];
/** Keychain entries the tests may have created: removed at the end. */
const created: [SecretKind, string][] = [];

after(async () => {
  if (!skipLive) {
    const keychain = new OsKeychain();
    for (const [kind, name] of created) await keychain.delete(kind, name).catch(() => false);
  }
  for (const user of users) user.remove();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function cliUser(): CliUser {
  const user = makeCliUser('keychain');
  users.push(user);
  return user;
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-keychain-test-'));
  dirs.push(dir);
  return dir;
}

type Op = ['get' | 'delete', SecretKind, string] | ['set', SecretKind, string, string];
type OpResult = { ok: true; value: unknown } | { ok: false; name: string; isDvomError: boolean; code: string; message: string; isUnavailable: boolean };

/** Runs keychain operations in a separate node process (importing src/main/secrets/secret-store.ts). */
function keychainInChild(ops: Op[], env: NodeJS.ProcessEnv = process.env): Promise<OpResult[]> {
  const script = `
    const { OsKeychain, KeychainUnavailableError } = await import(process.env.DVOM_TEST_STORE_URL);
    const { DvomError } = await import(process.env.DVOM_TEST_ERRORS_URL);
    const keychain = new OsKeychain();
    const results = [];
    for (const [op, kind, name, secret] of JSON.parse(process.env.DVOM_TEST_OPS)) {
      try {
        const value = op === 'set' ? await keychain.set(kind, name, secret) : await keychain[op](kind, name);
        results.push({ ok: true, value: value ?? null });
      } catch (err) {
        results.push({ ok: false, name: err?.name, isDvomError: err instanceof DvomError, code: err?.code,
          message: String(err?.message), isUnavailable: err instanceof KeychainUnavailableError });
      }
    }
    process.stdout.write(JSON.stringify(results));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      DVOM_TEST_STORE_URL: pathToFileURL(path.join(REPO_ROOT, 'src/main/secrets/secret-store.ts')).href,
      DVOM_TEST_ERRORS_URL: pathToFileURL(path.join(REPO_ROOT, 'src/main/engine/errors.ts')).href,
      DVOM_TEST_OPS: JSON.stringify(ops),
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as OpResult[]);
      } catch {
        reject(new Error(`keychain child exited ${code} without a result\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

function makeData(dir: string): void {
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.txt'), 'remember me\n');
  fs.writeFileSync(path.join(dir, 'sub', 'b.bin'), randomBytes(50_000));
}

describe('without a keychain', () => {
  test('OsKeychain calls reject with KeychainUnavailableError and nothing is written to disk', async () => {
    const home = tempDir();
    const secret = `no-keychain-secret-${RUN}`;
    const results = await keychainInChild(
      [
        ['set', 'backup-password', `nokc-${RUN}`, secret],
        ['get', 'backup-password', `nokc-${RUN}`],
        ['delete', 'backup-password', `nokc-${RUN}`],
        ['set', 's3-secret-key', `target:nokc-${RUN}`, secret],
      ],
      {
        ...process.env,
        DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, 'config'),
        XDG_DATA_HOME: path.join(home, 'data'),
        XDG_CACHE_HOME: path.join(home, 'cache'),
        XDG_RUNTIME_DIR: path.join(home, 'runtime'),
      },
    );
    assert.equal(results.length, 4);
    for (const r of results) {
      assert.equal(r.ok, false, `a keychain call succeeded without a Secret Service: ${JSON.stringify(r)}`);
      if (r.ok) continue;
      assert.equal(r.name, 'KeychainUnavailableError');
      assert.ok(r.isUnavailable && r.isDvomError, JSON.stringify(r));
      assert.equal(r.code, 'ERROR');
      assert.match(r.message, /^the Secret Service keyring is not available \(.*\); start a Secret Service such as gnome-keyring or KWallet and unlock it$/);
      assert.ok(!r.message.includes(secret));
    }
    assert.deepEqual(filesContaining(home, secret), [], 'the secret was written to a file');
  });

  test('--remember-password only warns, the password is stored nowhere, and the next run asks for it', async () => {
    const user = cliUser();
    const store = path.join(user.home, 'store');
    const data = path.join(user.home, 'data');
    makeData(data);
    const password = `pw-nokc-${RUN}`;
    const r = await user.ok(['backup', `--path=${data}`, '--name=docs', '--encrypt', '--remember-password', `--backup-dir=${store}`], {
      env: { DVOM_PASSWORD: password },
    });
    assert.match(r.stderr, /Warning: could not remember the password: the Secret Service keyring is not available/);
    assert.deepEqual(filesContaining(user.home, password), [], 'the password was written to a file');

    const again = await user.run(['restore', '--snapshot=docs', '--dry-run', `--backup-dir=${store}`]);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /backup 'docs' needs a password: set DVOM_PASSWORD/);

    const forget = await user.run(['forget-password', 'docs', `--backup-dir=${store}`]);
    assert.equal(forget.code, 1);
    assert.match(forget.stderr, /the Secret Service keyring is not available/);
  });
});

describe('with the Secret Service', () => {
  const keychain = new OsKeychain();

  test('set, get, overwrite and delete', { skip: skipLive }, async () => {
    const name = `unit-${RUN}`;
    created.push(['backup-password', name], ['s3-secret-key', name]);
    assert.equal(await keychain.get('backup-password', name), undefined);
    assert.equal(await keychain.delete('backup-password', name), false, 'deleting a missing entry reports false');
    await keychain.set('backup-password', name, 'first');
    assert.equal(await keychain.get('backup-password', name), 'first');
    assert.equal(await keychain.get('s3-secret-key', name), undefined, 'kinds are separate entries');
    const unicode = 'pässwörd ✓ \u{1F511} with spaces and "quotes"';
    await keychain.set('backup-password', name, unicode);
    assert.equal(await keychain.get('backup-password', name), unicode);
    await keychain.set('s3-secret-key', name, 'other');
    assert.equal(await keychain.delete('backup-password', name), true);
    assert.equal(await keychain.get('backup-password', name), undefined);
    assert.equal(await keychain.get('s3-secret-key', name), 'other');
    assert.equal(await keychain.delete('s3-secret-key', name), true);
    assert.equal(KEYCHAIN_SERVICE, 'io.dvom');
  });

  test('another process sees a secret set by this one, and its delete is seen here', { skip: skipLive }, async () => {
    const name = `shared-${RUN}`;
    created.push(['backup-password', name]);
    const secret = `cross-process-${randomBytes(8).toString('hex')}`;
    await keychain.set('backup-password', name, secret);
    const [seen, removed, gone] = await keychainInChild([
      ['get', 'backup-password', name],
      ['delete', 'backup-password', name],
      ['get', 'backup-password', name],
    ]);
    assert.deepEqual(seen, { ok: true, value: secret });
    assert.deepEqual(removed, { ok: true, value: true });
    assert.deepEqual(gone, { ok: true, value: null });
    assert.equal(await keychain.get('backup-password', name), undefined);

    const [set] = await keychainInChild([['set', 'backup-password', name, 'from the child']]);
    assert.deepEqual(set, { ok: true, value: null });
    assert.equal(await keychain.get('backup-password', name), 'from the child');
  });

  describe('dvom --remember-password', () => {
    let user: CliUser;
    let store: string;
    let data: string;
    const name = `docs-${RUN}`;
    const first = `first password ${RUN}`;

    const dvom = (args: string[], env: Record<string, string> = {}) => user.run([...args, `--backup-dir=${store}`], { keychain: true, env });
    const dryRun = (env: Record<string, string> = {}) => dvom(['restore', `--snapshot=${name}`, '--dry-run'], env);
    const remembered = () => keychain.get('backup-password', passwordAccount(path.resolve(store), name));

    test('a remembered password unlocks later runs without DVOM_PASSWORD; forget-password removes it', { skip: skipLive }, async () => {
      user = cliUser();
      store = path.join(user.home, 'store');
      data = path.join(user.home, 'data');
      makeData(data);
      created.push(['backup-password', passwordAccount(path.resolve(store), name)]);

      const backed = await dvom(['backup', `--path=${data}`, `--name=${name}`, '--encrypt', '--remember-password'], { DVOM_PASSWORD: first });
      assert.equal(backed.code, 0, backed.stderr);
      assert.match(backed.stderr, new RegExp(`Password of backup '${name}' remembered in the Secret Service keyring`));
      assert.equal(await remembered(), first);
      assert.deepEqual(filesContaining(user.home, first), [], 'the password was written to a file');

      const restored = await dryRun();
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(restored.stdout, new RegExp(`Test restore of ${name} version \\S+ passed: 2 files`));
      const second = await dvom(['backup', `--path=${data}`, `--name=${name}`]);
      assert.equal(second.code, 0, `a second backup without DVOM_PASSWORD failed: ${second.stderr}`);

      const forgot = await dvom(['forget-password', name]);
      assert.equal(forgot.code, 0, forgot.stderr);
      assert.match(forgot.stdout, new RegExp(`Forgot the password of backup '${name}'`));
      assert.equal(await remembered(), undefined);
      const forgotAgain = await dvom(['forget-password', name]);
      assert.match(forgotAgain.stdout, new RegExp(`No password of backup '${name}' was remembered`));

      const asked = await dryRun();
      assert.equal(asked.code, 2, asked.stderr);
      assert.match(asked.stderr, new RegExp(`backup '${name}' needs a password: set DVOM_PASSWORD`));
    });

    test('a wrong password is not remembered', { skip: skipLive }, async () => {
      const wrong = await dvom(['restore', `--snapshot=${name}`, '--dry-run', '--remember-password'], { DVOM_PASSWORD: 'not the password' });
      assert.equal(wrong.code, 3, wrong.stderr);
      assert.equal(await remembered(), undefined);
    });

    test('a remembered password that became wrong: exit 3 naming forget-password', { skip: skipLive }, async () => {
      const again = await dryRun({ DVOM_PASSWORD: first });
      const rememberedAgain = await dvom(['restore', `--snapshot=${name}`, '--dry-run', '--remember-password'], { DVOM_PASSWORD: first });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(rememberedAgain.code, 0, rememberedAgain.stderr);
      assert.equal(await remembered(), first);

      // The password changes behind the keychain's back (another machine, the app, the engine API).
      const repo = await Repository.open(new LocalBackend(store), name, { kind: 'password', password: first });
      await repo.locked('passwd', true, () => repo.changeCredential({ kind: 'password', password: `changed ${RUN}` }, SCRYPT));

      const stale = await dryRun();
      assert.equal(stale.code, 3, stale.stderr);
      assert.match(stale.stderr, /the password remembered in the keychain is wrong; run: dvom forget-password/);
      assert.ok(stale.stderr.includes(`dvom forget-password ${name}`), stale.stderr);
      // An explicit password still wins over the stale one.
      const explicit = await dryRun({ DVOM_PASSWORD: `changed ${RUN}` });
      assert.equal(explicit.code, 0, explicit.stderr);
    });

    test('dvom passwd updates the remembered password, so later runs still work', { skip: skipLive }, async () => {
      const current = `changed ${RUN}`;
      const fresh = await dvom(['restore', `--snapshot=${name}`, '--dry-run', '--remember-password'], { DVOM_PASSWORD: current });
      assert.equal(fresh.code, 0, fresh.stderr);
      assert.equal(await remembered(), current);

      const next = `third password ${RUN}`;
      const changed = await dvom(['passwd', name], { DVOM_NEW_PASSWORD: next });
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(changed.stdout, new RegExp(`Password of backup '${name}' changed`));
      assert.equal(await remembered(), next);

      const later = await dryRun();
      assert.equal(later.code, 0, `a run after passwd failed: ${later.stderr}`);
      const old = await dryRun({ DVOM_PASSWORD: current });
      assert.equal(old.code, 3, 'the old password still opens the backup');
    });

    test('a password remembered for one store does not answer for the same name in another store', { skip: skipLive }, async () => {
      const otherStore = path.join(user.home, 'other-store');
      created.push(['backup-password', passwordAccount(path.resolve(otherStore), name)]);
      const made = await user.run(['backup', `--path=${data}`, `--name=${name}`, '--encrypt', `--backup-dir=${otherStore}`], {
        keychain: true,
        env: { DVOM_PASSWORD: 'a different password' },
      });
      assert.equal(made.code, 0, made.stderr);
      const r = await user.run(['restore', `--snapshot=${name}`, '--dry-run', `--backup-dir=${otherStore}`], { keychain: true });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /needs a password/);
    });
  });
});
