/**
 * The DVOM Encryption Guide, verbatim: every `dvom …` command it shows runs,
 * in the guide's order, exactly as printed (through bash, `dvom` on PATH)
 * against a real Docker engine and a Ceph RGW S3 store, and each is checked
 * for what the guide promises. Interactive prompts are answered through a
 * pseudo-terminal (`script`).
 *
 * The guide uses fixed names (volumes pgdata, test-restore, …, container
 * postgres, bucket secure-backups), so this file needs them free: it refuses
 * to start if one exists, and removes them all when it ends. The store is
 * the bucket secure-backups: the `--storage=s3 --s3-bucket=secure-backups`
 * commands name it, and the config's default target (the guide's
 * "Configuration Guide" setup) points the other commands at it. Endpoint and
 * credentials come from the AWS SDK's variables, as they would for a user.
 * The guide's two `docker run … alpine` lines use the test's busybox image
 * and `--network none` instead (nothing is pulled here); its
 * /secure/backup-password.txt is a file in a temporary folder.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  BUSYBOX_IMAGE,
  DVOM,
  acquireDockerLock,
  assertNoLeftovers,
  describeWithDocker,
  docker,
  dockerTime,
  ensureBusyboxImage,
  exec,
  snapshotVolume,
} from '../docker/docker-fixtures.ts';
import { adminClient, listS3Keys, s3TestEnv, useGateway } from '../s3/s3-fixtures.ts';
import { collectOutput } from '../support/processes.ts';

const BUCKET = 'secure-backups';
const VOLUMES = ['pgdata', 'test-restore', 'temp-volume', 'temp', 'test-encrypt', 'large-volume', 'production-data'];
const CONTAINER = 'postgres';
/** A marker written into pgdata: it must never appear in the bucket in the clear. */
const MARKER = `dvom-guide-plaintext-marker-${process.pid}`;

const s3 = s3TestEnv();
const skip = s3 ? false : 'DVOM_TEST_S3_ENDPOINT is not set (start an S3 gateway: eval "$(bash scripts/services/ceph-rgw.sh)")';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

await describeWithDocker('the Encryption Guide, every dvom command verbatim (Docker + Ceph RGW S3)', () => {
  let root = '';
  let bin = '';
  let client: S3Client | undefined;
  let releaseDocker: (() => Promise<void>) | undefined;
  let releaseGateway: (() => void) | undefined;
  let env: NodeJS.ProcessEnv = {};
  let original: Record<string, string> = {};

  before(async () => {
    if (!s3) return;
    releaseDocker = await acquireDockerLock();
    releaseGateway = await useGateway();
    await ensureBusyboxImage();
    for (const v of VOLUMES) {
      if ((await exec('docker', ['volume', 'inspect', v])).code === 0) throw new Error(`volume '${v}' exists on this engine; the guide test needs the guide's names free (docker volume rm ${v})`);
    }
    if ((await exec('docker', ['container', 'inspect', CONTAINER])).code === 0) {
      throw new Error(`container '${CONTAINER}' exists on this engine; the guide test needs the guide's names free`);
    }
    client = adminClient(s3);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET })).catch((err: unknown) => {
      if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
    });
    await emptyBucket(client); // what an earlier, killed run left
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-guide-'));
    bin = path.join(root, 'bin');
    await fs.mkdir(bin);
    await fs.writeFile(path.join(bin, 'dvom'), `#!/bin/sh\nexec '${process.execPath}' '${DVOM}' "$@"\n`, { mode: 0o755 });
    const config = path.join(root, 'config.json');
    await fs.writeFile(config, JSON.stringify({ version: 1, targets: { guide: { type: 's3', bucket: BUCKET } }, defaultTarget: 'guide' }));
    env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('DVOM_') || k.startsWith('AWS_')) delete env[k];
    delete env.DBUS_SESSION_BUS_ADDRESS; // no keychain: a developer's remembered passwords never answer
    Object.assign(env, {
      PATH: `${bin}:${process.env.PATH}`,
      DVOM_CONFIG: config,
      NODE_COMPILE_CACHE: path.join(root, 'compile-cache'),
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKey,
      AWS_SECRET_ACCESS_KEY: s3.secretKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });

  after(async () => {
    try {
      if (s3) {
        await exec('docker', ['rm', '-f', CONTAINER]);
        await exec('docker', ['volume', 'rm', '-f', ...VOLUMES]);
        if (client) {
          await emptyBucket(client);
          await client.send(new DeleteBucketCommand({ Bucket: BUCKET }));
          client.destroy();
        }
        if (root) await fs.rm(root, { recursive: true, force: true });
      }
    } finally {
      releaseGateway?.();
      await releaseDocker?.();
    }
  });

  /** Runs one line of the guide through bash, stdin closed. */
  const sh = (line: string, extra: Record<string, string> = {}): Promise<Result> =>
    collectOutput(spawn('bash', ['-c', line], { cwd: root, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] }), 300_000, line);
  const ok = async (line: string, extra: Record<string, string> = {}, expected = 0): Promise<Result> => {
    const r = await sh(line, extra);
    assert.equal(r.code, expected, `${line}\nexited ${r.code}, expected ${expected}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };
  /** Runs one line in a pseudo-terminal, typing each answer once its prompt shows. Output is stdout and stderr merged. */
  const typed = (line: string, answers: [RegExp, string][]): Promise<Result> =>
    new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', line, '/dev/null'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let seen = 0;
      const pending = [...answers];
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const next = pending[0];
        if (next && next[0].test(out.slice(seen))) {
          pending.shift();
          seen = out.length;
          child.stdin.write(`${next[1]}\r`);
        }
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        child.stdin.destroy();
        resolve({ code, stdout: out, stderr: '' });
      });
    });
  const typedOk = async (line: string, answers: [RegExp, string][]): Promise<Result> => {
    const r = await typed(line, answers);
    assert.equal(r.code, 0, `${line} (typed) exited ${r.code}\n${r.stdout}`);
    return r;
  };
  const info = async (backup: string) => JSON.parse((await ok(`dvom info ${backup} --json`)).stdout) as { encrypted: boolean; versions: number; volumes: string[] };
  const keysIn = async (prefix: string) => listKeys(client!, prefix);
  const inVolume = (volume: string, script: string) =>
    docker('run', '--rm', '--network', 'none', '-v', `${volume}:/data`, BUSYBOX_IMAGE, 'sh', '-c', script);
  const opensWith = async (backup: string, password: string) => (await sh(`dvom key list ${backup} --password=${password}`)).code;
  const PASSWORD_PROMPT = /Password for backup '[^']+': $/;
  const REPEAT_PROMPT = /Repeat password: $/;

  it('Creating Encrypted Backups: the prompt, then --password (warned)', { skip }, async () => {
    await docker('volume', 'create', 'pgdata');
    await inVolume('pgdata', `mkdir /data/db && echo row1 > /data/db/table && echo ${MARKER} > /data/db/marker && head -c 300000 /dev/urandom > /data/db/blob`);
    original = await snapshotVolume('pgdata');

    const first = await typedOk('dvom backup --volume=pgdata --name=secure-backup --encrypt', [[PASSWORD_PROMPT, 'mypass123'], [REPEAT_PROMPT, 'mypass123']]);
    assert.match(first.stdout, /Creating encrypted backup 'secure-backup'/);
    assert.doesNotMatch(first.stdout, /mypass123/, 'the prompt does not echo the password');
    const created = await info('secure-backup');
    assert.deepEqual([created.encrypted, created.versions, created.volumes], [true, 1, ['pgdata']]);
    assert.ok((await keysIn('backups/secure-backup/keys/')).length === 1, 'one key file in the bucket');

    const second = await ok('dvom backup --volume=pgdata --name=secure-backup --encrypt --password=mypass123');
    assert.match(second.stderr, /Warning: a password given with --password is visible to other users/);
    assert.equal((await info('secure-backup')).versions, 2);
  });

  it('Restoring Encrypted Backups: into pgdata with --force, by prompt and by --password', { skip }, async () => {
    await inVolume('pgdata', 'echo changed > /data/db/table && echo junk > /data/junk');
    await typedOk('dvom restore --snapshot=secure-backup --target-volume=pgdata --force', [[PASSWORD_PROMPT, 'mypass123']]);
    assert.deepEqual(await snapshotVolume('pgdata'), original, 'pgdata holds the backed-up data again');

    await inVolume('pgdata', 'rm /data/db/blob && echo junk > /data/junk');
    const r = await ok('dvom restore --snapshot=secure-backup --target-volume=pgdata --password=mypass123 --force');
    assert.match(r.stderr, /Restored secure-backup version \S+ into volume 'pgdata' \(previous contents replaced\)/);
    assert.deepEqual(await snapshotVolume('pgdata'), original);
  });

  it('Viewing Encryption Status: dvom list (ENCRYPTED column), dvom info', { skip }, async () => {
    const list = (await ok('dvom list')).stdout;
    assert.match(list, /^BACKUP NAME +LATEST VERSION +SIZE +VERSIONS +ENCRYPTED +VOLUME/m);
    assert.match(list, /^secure-backup +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +[\d.]+ [KM]i?B +2 +Yes +pgdata$/m);
    const shown = (await ok('dvom info secure-backup')).stdout;
    assert.match(shown, /^Encrypted: true$/m);
    assert.match(shown, /^Volumes: 1\n {2}- pgdata$/m);
    assert.match(shown, /^Type: volume$/m);
  });

  it('Password Security: the prompt, DVOM_PASSWORD, --password (each way works; the last warns)', { skip }, async () => {
    await typedOk('dvom backup --volume=pgdata --name=secure --encrypt', [[PASSWORD_PROMPT, 'your-secure-password'], [REPEAT_PROMPT, 'your-secure-password']]);
    // Second way, no terminal: the password comes from the environment alone.
    const viaEnv = await ok('export DVOM_PASSWORD="your-secure-password"\ndvom backup --volume=pgdata --name=secure --encrypt');
    assert.doesNotMatch(viaEnv.stderr, /Warning: a password given/);
    assert.equal((await info('secure')).versions, 2);
    // The third is an alternative to the first two, not a next step: it starts from no backup 'secure'.
    await ok('dvom delete secure --force');
    const viaFlag = await ok('export DVOM_PASSWORD="your-secure-password"\ndvom backup --volume=pgdata --name=secure --encrypt --password=secret123');
    assert.match(viaFlag.stderr, /Warning: a password given with --password is visible to other users in the process list/);
    assert.equal(await opensWith('secure', 'secret123'), 0, 'the flag wins over DVOM_PASSWORD');
    assert.equal(await opensWith('secure', 'your-secure-password'), 3);
  });

  it('Operational Security: --stop-containers=postgres to S3, info, and a dry run into test-restore', { skip }, async () => {
    await docker(
      'run', '-d', '--name', CONTAINER, '--network', 'none', '--stop-timeout', '3', '-v', 'pgdata:/data', BUSYBOX_IMAGE,
      'sh', '-c', 'trap "exit 0" TERM INT; sleep 3600 & wait',
    );
    const startedBefore = await startedAt(CONTAINER);
    const prod = { DVOM_PASSWORD: 'prod-pass' };
    const r = await ok('dvom backup --volume=pgdata --name=prod-backup \\\n  --encrypt \\\n  --stop-containers=postgres \\\n  --storage=s3 \\\n  --s3-bucket=secure-backups', prod);
    assert.match(r.stderr, /Stopping container postgres/);
    assert.match(r.stderr, /Starting container postgres/);
    assert.equal(await running(CONTAINER), true, 'postgres runs again');
    assert.ok((await startedAt(CONTAINER)) > startedBefore, 'postgres was restarted');
    const stored = await keysIn('backups/prod-backup/');
    for (const part of ['config.json', 'keys/', 'versions/', 'index/', 'packs/']) {
      assert.ok(stored.some((k) => k.startsWith(`backups/prod-backup/${part}`)), `the bucket holds ${part}`);
    }
    for (const key of stored) {
      assert.ok(!(await getObject(client!, key)).includes(MARKER), `${key} holds no plaintext of the volume`);
    }

    const shown = await ok('dvom info prod-backup');
    assert.match(shown.stdout, /^Backup: prod-backup$/m);
    assert.match(shown.stdout, /^Encrypted: true$/m);
    assert.match(shown.stdout, /^ {2}- pgdata$/m);

    const dry = await ok('dvom restore --snapshot=prod-backup --target-volume=test-restore --dry-run', prod);
    assert.match(dry.stdout, /^Test restore of prod-backup version \S+ passed: 3 files, .*every size and SHA-256 verified/m);
    assert.match(dry.stdout, /the restore would create volume 'test-restore' and write 3 files \(.+\) into it\. Nothing was written to volume 'test-restore'\./);
    assert.notEqual((await exec('docker', ['volume', 'inspect', 'test-restore'])).code, 0, 'test-restore was not created');
    const versions = JSON.parse((await ok('dvom versions prod-backup --json')).stdout) as { verifiedAt: string | null }[];
    assert.ok(versions[0]?.verifiedAt, 'the version is recorded as verified');
    // "Test restore to ensure password works": a wrong one fails with exit code 3.
    const wrong = await sh('dvom restore --snapshot=prod-backup --target-volume=test-restore --dry-run', { DVOM_PASSWORD: 'not-it' });
    assert.equal(wrong.code, 3);
    assert.match(wrong.stderr, /^Error: wrong password for backup 'prod-backup'/m);
    await assertNoLeftovers();
  });

  it('Encrypting Existing Backups: restore old-backup into temp-volume, back it up encrypted, delete the old one', { skip }, async () => {
    await ok('dvom backup --volume=pgdata --name=old-backup'); // the guide's starting point: an unencrypted backup
    assert.equal((await info('old-backup')).encrypted, false);
    const pass = { DVOM_PASSWORD: 'encrypted-pass' };
    await ok('dvom restore --snapshot=old-backup --target-volume=temp-volume --force');
    assert.deepEqual(await snapshotVolume('temp-volume'), original);
    await ok('dvom backup --volume=temp-volume --name=old-backup-encrypted --encrypt', pass);
    const copy = await info('old-backup-encrypted');
    assert.deepEqual([copy.encrypted, copy.volumes], [true, ['temp-volume']]);
    await ok('dvom delete old-backup --force');
    assert.equal((await sh('dvom info old-backup')).code, 4);
    assert.deepEqual(await keysIn('backups/old-backup/'), []);
    await ok('docker volume rm temp-volume');
  });

  it('Changing Encryption Password: restore with oldpass, back up with newpass, delete the old', { skip }, async () => {
    await ok('dvom backup --volume=pgdata --name=old-encrypted --encrypt --password=oldpass');
    await ok('dvom restore --snapshot=old-encrypted --target-volume=temp --password=oldpass --force');
    await ok('dvom backup --volume=temp --name=new-encrypted --encrypt --password=newpass');
    await ok('dvom delete old-encrypted --force');
    await ok('docker volume rm temp');
    assert.equal(await opensWith('new-encrypted', 'newpass'), 0);
    assert.equal(await opensWith('new-encrypted', 'oldpass'), 3);
    assert.equal((await sh('dvom info old-encrypted')).code, 4);
  });

  it('Testing Encryption: the whole script', { skip }, async () => {
    await ok('docker volume create test-encrypt');
    await inVolume('test-encrypt', "echo 'secret data' > /data/test.txt"); // the guide's `docker run … alpine sh -c …`
    await ok('dvom backup --volume=test-encrypt --name=test-backup --encrypt --password=testpass');
    assert.match((await ok('dvom list')).stdout, /^test-backup +.* +1 +Yes +test-encrypt$/m);
    assert.match((await ok('dvom info test-backup')).stdout, /^Encrypted: true$/m);
    for (const key of await keysIn('backups/test-backup/')) assert.ok(!(await getObject(client!, key)).includes('secret data'), `${key} is not plaintext`);
    await ok('docker volume create test-restore');
    await ok('dvom restore --snapshot=test-backup --target-volume=test-restore --password=testpass --force');
    assert.equal(await inVolume('test-restore', 'cat /data/test.txt'), 'secret data\n'); // the guide's `docker run … alpine cat`
    await ok('dvom delete test-backup --force');
    assert.deepEqual(await keysIn('backups/test-backup/'), []);
    await ok('docker volume rm test-encrypt test-restore');
  });

  it('Troubleshooting: --quiet prints only the new version id', { skip }, async () => {
    await docker('volume', 'create', 'large-volume');
    await inVolume('large-volume', 'head -c 3000000 /dev/urandom > /data/big');
    const r = await ok('dvom backup --volume=large-volume --name=big-backup --encrypt --quiet', { DVOM_PASSWORD: 'big-pass' });
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^\d{8}T\d{6}Z-[0-9a-f]{6}\n$/);
  });

  it('Automated Backups with Encryption: the script, password from a file', { skip }, async () => {
    await docker('volume', 'create', 'production-data');
    await inVolume('production-data', 'echo prod > /data/file');
    const secret = path.join(root, 'backup-password.txt');
    await fs.writeFile(secret, 'from-a-file\n', { mode: 0o600 });
    const script = [
      '#!/bin/bash',
      '# automated-backup.sh',
      '',
      '# Set password via environment (more secure than command line)',
      `export DVOM_PASSWORD="$(cat ${secret})"`,
      '',
      '# Create encrypted backup',
      'dvom backup --volume=production-data --name="auto-backup-$(date +%Y%m%d)" \\',
      '  --encrypt \\',
      '  --storage=s3 \\',
      '  --s3-bucket=secure-backups \\',
      '  --quiet',
    ].join('\n');
    const r = await ok(script);
    assert.equal(r.stderr, '');
    const name = `auto-backup-${(await ok('date +%Y%m%d')).stdout.trim()}`;
    assert.equal((await info(name)).encrypted, true);
    assert.equal(await opensWith(name, 'from-a-file'), 0, '$(cat …) drops the newline, as the guide relies on');
    await assertNoLeftovers();
  });
});

function listKeys(client: S3Client, prefix: string): Promise<string[]> {
  return listS3Keys(client, BUCKET, prefix);
}

async function getObject(client: S3Client, key: string): Promise<string> {
  const r = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray()).toString('latin1');
}

async function emptyBucket(client: S3Client): Promise<void> {
  const all = await listKeys(client, '');
  for (let i = 0; i < all.length; i += 1000) {
    await client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: all.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
  }
}

async function startedAt(container: string): Promise<number> {
  return dockerTime((await docker('inspect', '--format', '{{.State.StartedAt}}', container)).trim());
}

async function running(container: string): Promise<boolean> {
  return (await docker('inspect', '--format', '{{.State.Running}}', container)).trim() === 'true';
}
