/**
 * The `dvom` CLI on an S3 store (a real Ceph RADOS Gateway): ad-hoc
 * --storage=s3 flags with AWS_* credentials, and a named S3 target whose
 * secret key lives in the keychain. Skipped without DVOM_TEST_S3_ENDPOINT;
 * the keychain part also without a D-Bus session.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OsKeychain } from '../../src/main/secrets/secret-store.ts';
import { s3SecretAccount } from '../../src/main/secrets/accounts.ts';
import { filesContaining, keychainSkipReason, makeCliUser, type CliResult, type CliUser } from '../config/dvom-cli.ts';
import {
  SKIP_REASON,
  makeDataset,
  s3TestEnv,
  treeManifest,
  useS3TestFile,
} from './s3-fixtures.ts';

const env = s3TestEnv();
const skip = env ? false : SKIP_REASON;
const keychainSkip = skip || keychainSkipReason();
const PASSWORD = 'cli s3 password';

const fixture = useS3TestFile(env, 'cli');
const { tempDir } = fixture;
let user: CliUser;
let source: string;

before(() => {
  if (!env) return;
  user = makeCliUser('s3');
  source = tempDir('cli-src');
  makeDataset(source, { randomBytes: 700 * 1024 });
});

after(() => user?.remove());

function s3Flags(prefix?: string): string[] {
  return [
    '--storage=s3',
    `--s3-bucket=${fixture.bucket.name}`,
    `--s3-endpoint=${env!.endpoint}`,
    '--s3-path-style',
    ...(prefix ? [`--s3-prefix=${prefix}`] : []),
  ];
}

function awsEnv(secret = env!.secretKey): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: env!.accessKey, AWS_SECRET_ACCESS_KEY: secret };
}

function assertNoSecret(r: CliResult): void {
  for (const secret of [env!.secretKey, env!.roSecretKey]) {
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `the output shows a secret key:\n${r.stdout}\n${r.stderr}`);
  }
}

describe('dvom with --storage=s3', () => {
  test('backup --encrypt, list and info without a password, restore byte-identical', { skip }, async () => {
    const flags = s3Flags('cli-adhoc');
    const backed = await user.ok(['backup', `--path=${source}`, '--name=photos', '--encrypt', ...flags], {
      env: { ...awsEnv(), DVOM_PASSWORD: PASSWORD },
    });
    assertNoSecret(backed);
    const versionId = backed.stdout.trim();
    assert.match(versionId, /^\S+$/, 'backup prints the new version id');
    const keys = await fixture.bucket.keys('cli-adhoc/backups/photos/');
    assert.ok(keys.includes('cli-adhoc/backups/photos/config.json'), keys.join('\n'));
    assert.ok(keys.some((k) => k.startsWith('cli-adhoc/backups/photos/packs/')));

    const listed = await user.ok(['list', '--json', ...flags], { env: awsEnv() });
    const backups = JSON.parse(listed.stdout) as { name: string; encrypted: boolean; versions: number; latestVersion: string }[];
    assert.deepEqual(
      backups.map((b) => [b.name, b.encrypted, b.versions, b.latestVersion]),
      [['photos', true, 1, versionId]],
    );
    const info = await user.ok(['info', 'photos', '--json', ...flags], { env: awsEnv() });
    const overview = JSON.parse(info.stdout) as { encrypted: boolean; versions: number; kdf: string; type: string };
    assert.equal(overview.encrypted, true);
    assert.equal(overview.versions, 1);
    assert.equal(overview.type, 'path');
    assert.match(overview.kdf, /scrypt N=1024/);

    const target = path.join(tempDir('cli-restore'), 'out');
    const restored = await user.ok(['restore', '--snapshot=photos', `--target-dir=${target}`, ...flags], {
      env: { ...awsEnv(), DVOM_PASSWORD: PASSWORD },
    });
    assertNoSecret(restored);
    assert.deepEqual(treeManifest(target), treeManifest(source));

    const noPassword = await user.run(['restore', '--snapshot=photos', '--dry-run', ...flags], { env: awsEnv() });
    assert.equal(noPassword.code, 2, noPassword.stderr);
    assert.match(noPassword.stderr, /needs a password/);
  });

  test('S3 errors reach the user with the right exit code and without the secret', { skip }, async () => {
    const wrongSecret = await user.run(['list', ...s3Flags()], { env: awsEnv('not-the-secret-key-123') });
    assert.equal(wrongSecret.code, 1);
    assert.match(wrongSecret.stderr, /S3 rejected the credentials .*check the access key and secret/);
    assert.ok(!wrongSecret.stderr.includes('not-the-secret-key-123'));
    assertNoSecret(wrongSecret);

    const readOnly = await user.run(['backup', `--path=${source}`, '--name=ro', ...s3Flags()], {
      env: { AWS_ACCESS_KEY_ID: env!.roAccessKey, AWS_SECRET_ACCESS_KEY: env!.roSecretKey },
    });
    assert.equal(readOnly.code, 1);
    assert.match(readOnly.stderr, /access denied to s3:\/\//);
    assertNoSecret(readOnly);

    const missing = await user.run(['backup', `--path=${source}`, '--name=m', ...s3Flags().map((f) => f.replace(fixture.bucket.name, `${fixture.bucket.name}-gone`))], {
      env: awsEnv(),
    });
    assert.equal(missing.code, 4, missing.stderr);
    assert.match(missing.stderr, /bucket of s3:\/\/.*-gone\/ does not exist/);

    const noCredentials = await user.run(['list', ...s3Flags()]);
    assert.equal(noCredentials.code, 1, noCredentials.stderr);
    assert.match(noCredentials.stderr, /no S3 credentials found .*AWS_ACCESS_KEY_ID/);
  });
});

describe('a named S3 target with its secret key inline in the config file', () => {
  test('works without a keychain when the file is owner-only, and dvom config hides the secret', { skip }, async () => {
    const inlineUser = makeCliUser('s3-inline');
    try {
      fs.mkdirSync(path.dirname(inlineUser.configFile), { recursive: true });
      const config = {
        version: 1,
        targets: {
          inl: { type: 's3', bucket: fixture.bucket.name, prefix: 'inline', endpoint: env!.endpoint, pathStyle: true, accessKeyId: env!.accessKey, secretAccessKey: env!.secretKey },
        },
      };
      fs.writeFileSync(inlineUser.configFile, JSON.stringify(config), { mode: 0o600 });
      const tested = await inlineUser.ok(['target', 'test', 'inl']);
      assert.match(tested.stdout, new RegExp(`Target 'inl' works: .* at s3://${fixture.bucket.name}/inline/`));
      assertNoSecret(tested);
      const shown = await inlineUser.ok(['config']);
      assert.match(shown.stdout, /"secretAccessKey": "\(hidden\)"/);
      assertNoSecret(shown);
    } finally {
      inlineUser.remove();
    }
  });
});

describe('a named S3 target with its secret key in the keychain', () => {
  const target = `s3t-${process.pid}`;
  const keychain = new OsKeychain();

  after(async () => {
    if (!keychainSkip) await keychain.delete('s3-secret-key', s3SecretAccount(target)).catch(() => false);
  });

  test('target add --secret-stdin, target test, backup and restore with --target; the secret is in no file or output', { skip: keychainSkip }, async () => {
    const added = await user.ok(
      [
        'target',
        'add',
        target,
        '--type=s3',
        `--s3-bucket=${fixture.bucket.name}`,
        `--s3-endpoint=${env!.endpoint}`,
        '--s3-path-style',
        '--s3-prefix=named',
        `--access-key=${env!.accessKey}`,
        '--secret-stdin',
      ],
      { input: `${env!.secretKey}\n`, keychain: true },
    );
    assert.match(added.stdout, new RegExp(`Added target '${target}': s3://${fixture.bucket.name}/named at ${env!.endpoint}`));
    assert.match(added.stderr, /Secret key stored in the Secret Service keyring/);
    assert.equal(await keychain.get('s3-secret-key', s3SecretAccount(target)), env!.secretKey);

    // The config file: owner-only, and it names the access key but not the secret.
    const st = fs.statSync(user.configFile);
    assert.equal(st.mode & 0o777, 0o600);
    const config = JSON.parse(fs.readFileSync(user.configFile, 'utf8')) as { targets: Record<string, Record<string, unknown>> };
    assert.deepEqual(config.targets[target], {
      type: 's3',
      bucket: fixture.bucket.name,
      prefix: 'named',
      endpoint: env!.endpoint,
      pathStyle: true,
      accessKeyId: env!.accessKey,
    });
    assert.deepEqual(filesContaining(user.home, env!.secretKey), [], 'the secret key was written to a file');

    const shown = await user.ok(['config']);
    assert.ok(shown.stdout.includes(env!.accessKey));
    assertNoSecret(shown);

    // No AWS_* variables: the credentials can only come from the config and the keychain.
    const tested = await user.ok(['target', 'test', target], { keychain: true });
    assert.match(tested.stdout, new RegExp(`Target '${target}' works: write, list, read and delete succeeded at s3://${fixture.bucket.name}/named/`));
    assert.deepEqual(await fixture.bucket.keys('named/probes/'), [], 'the probe object was deleted');

    const backed = await user.ok(['backup', `--path=${source}`, '--name=docs', '--encrypt', `--target=${target}`], {
      keychain: true,
      env: { DVOM_PASSWORD: PASSWORD },
    });
    assertNoSecret(backed);
    assert.ok((await fixture.bucket.keys('named/backups/docs/')).includes('named/backups/docs/config.json'));
    const out = path.join(tempDir('target-restore'), 'out');
    await user.ok(['restore', '--snapshot=docs', `--target-dir=${out}`, `--target=${target}`], {
      keychain: true,
      env: { DVOM_PASSWORD: PASSWORD },
    });
    assert.deepEqual(treeManifest(out), treeManifest(source));
    assert.deepEqual(filesContaining(user.home, env!.secretKey), []);

    // Without the keychain the target cannot be used, and the error says why.
    const noKeychain = await user.run(['list', `--target=${target}`]);
    assert.equal(noKeychain.code, 1, noKeychain.stderr);
    assert.match(noKeychain.stderr, new RegExp(`the S3 secret key of target '${target}' is kept in the keychain, but the Secret Service keyring is not available`));

    const removed = await user.ok(['target', 'remove', target], { keychain: true });
    assert.match(removed.stdout, /its backups were not touched/);
    assert.equal(await keychain.get('s3-secret-key', s3SecretAccount(target)), undefined, 'target remove leaves the secret in the keychain');
    assert.ok((await fixture.bucket.keys('named/backups/docs/')).length > 0);
  });
});
