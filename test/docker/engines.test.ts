/**
 * Several Docker engines (issue 15): DVOM reads the docker CLI's contexts as
 * the CLI writes them (`docker context create` makes them here), picks one
 * in the CLI's order (--context > DOCKER_HOST > DOCKER_CONTEXT > DVOM's
 * remembered choice > currentContext > default), connects to it, and every
 * volume version records the engine it came from in its encrypted part.
 * Two engines: the machine's shared one (only read: never restarted, no
 * volume created) and a private dockerd with its own socket and data root.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { clientOptions, connectDocker, engineOf } from '../../src/main/docker/docker-client.ts';
import { chosenContext, listEngines, resolveEngine } from '../../src/main/docker/docker-context.ts';
import { isDvomError } from '../../src/main/engine/errors.ts';
import { MemorySecretStore } from '../api/transports.ts';
import { makeCliUser, type CliUser } from '../config/dvom-cli.ts';
import { PrivateDockerd } from '../support/private-dockerd.ts';

const dockerCli = spawnSync('docker', ['--version']).status === 0;
const SHARED = 'unix:///var/run/docker.sock';

/** `docker ARGS` with its config folder at `configDir` (so contexts land there, in the CLI's own format). */
function dockerWith(configDir: string, ...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: configDir } });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('docker contexts as the docker CLI writes them', { skip: dockerCli ? false : 'the docker CLI is not installed' }, () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-contexts-'));
    env = { DOCKER_CONFIG: dir };
    dockerWith(dir, 'context', 'create', 'second', '--description', 'the other engine', '--docker', 'host=unix:///run/second.sock');
    // TLS material: any PEM will do, DVOM hands the bytes to node's TLS unchanged.
    const pem = path.join(dir, 'pem');
    fs.mkdirSync(pem);
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=dvom-test',
      '-keyout', path.join(pem, 'key.pem'), '-out', path.join(pem, 'cert.pem')]);
    assert.equal(r.status, 0, String(r.stderr));
    fs.copyFileSync(path.join(pem, 'cert.pem'), path.join(pem, 'ca.pem'));
    dockerWith(dir, 'context', 'create', 'remote-tls', '--docker',
      `host=tcp://10.0.0.5:2376,ca=${pem}/ca.pem,cert=${pem}/cert.pem,key=${pem}/key.pem`);
    dockerWith(dir, 'context', 'create', 'insecure', '--docker', 'host=tcp://10.0.0.6:2376,skip-tls-verify=true');
    dockerWith(dir, 'context', 'create', 'over-ssh', '--docker', 'host=ssh://ada@10.0.0.7');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('lists the default engine first, then every stored context with its endpoint', () => {
    assert.deepEqual(listEngines(env).map((e) => `${e.name} ${e.host}`), [
      `default ${SHARED}`,
      'insecure tcp://10.0.0.6:2376',
      'over-ssh ssh://ada@10.0.0.7',
      'remote-tls tcp://10.0.0.5:2376',
      'second unix:///run/second.sock',
    ]);
    assert.equal(listEngines(env).find((e) => e.name === 'second')?.description, 'the other engine');
    assert.equal(listEngines({ ...env, DOCKER_HOST: 'tcp://127.0.0.1:2375' })[0]!.host, 'tcp://127.0.0.1:2375');
  });

  test('chooses in the docker CLI order, with DVOM\'s remembered choice where currentContext stands', () => {
    const order = (choice: Parameters<typeof chosenContext>[0], extra: NodeJS.ProcessEnv = {}) => {
      const c = chosenContext(choice, { ...env, ...extra });
      return `${c.name}/${c.source}`;
    };
    assert.equal(order({}), 'default/built-in');
    dockerWith(dir, 'context', 'use', 'second');
    try {
      assert.equal(order({}), 'second/docker-config');
      assert.equal(order({ remembered: 'insecure' }), 'insecure/dvom-config');
      assert.equal(order({ remembered: 'insecure' }, { DOCKER_CONTEXT: 'remote-tls' }), 'remote-tls/DOCKER_CONTEXT');
      assert.equal(order({ remembered: 'insecure' }, { DOCKER_CONTEXT: 'remote-tls', DOCKER_HOST: 'unix:///x.sock' }), 'default/DOCKER_HOST');
      assert.equal(order({ explicit: 'second', remembered: 'insecure' }, { DOCKER_HOST: 'unix:///x.sock' }), 'second/flag');
    } finally {
      dockerWith(dir, 'context', 'use', 'default');
    }
    // DOCKER_HOST is the default engine's endpoint, as `docker context ls` shows it.
    assert.equal(resolveEngine({}, { ...env, DOCKER_HOST: 'unix:///x.sock' }).host, 'unix:///x.sock');
  });

  test('a chosen context is connected to as given, whatever DOCKER_HOST says', () => {
    const second = resolveEngine({ explicit: 'second' }, { ...env, DOCKER_HOST: 'tcp://10.9.9.9:2375' });
    const options = clientOptions(second) as Record<string, unknown>;
    assert.equal(options.socketPath, '/run/second.sock');
    // Given as undefined, so docker-modem's own reading of DOCKER_HOST cannot fill them in.
    assert.ok('host' in options && options.host === undefined && options.protocol === undefined);
  });

  test('TLS: the context\'s ca, cert and key are used; skip-tls-verify turns verification off', () => {
    const tls = resolveEngine({ explicit: 'remote-tls' }, env);
    const options = clientOptions(tls) as Record<string, unknown>;
    assert.equal(options.protocol, 'https');
    assert.equal(options.host, '10.0.0.5');
    assert.equal(options.port, '2376');
    assert.deepEqual(options.ca, fs.readFileSync(path.join(dir, 'pem', 'ca.pem')));
    assert.deepEqual(options.key, fs.readFileSync(path.join(dir, 'pem', 'key.pem')));
    assert.equal(options.agent, undefined, 'verified as usual');
    const insecure = clientOptions(resolveEngine({ explicit: 'insecure' }, env)) as { protocol?: string; agent?: { options?: { rejectUnauthorized?: boolean } } };
    assert.equal(insecure.protocol, 'https');
    assert.equal(insecure.agent?.options?.rejectUnauthorized, false);
  });

  test('ssh:// goes to docker-modem\'s SSH transport; other schemes and unknown contexts fail with their codes', () => {
    const ssh = clientOptions(resolveEngine({ explicit: 'over-ssh' }, env)) as Record<string, unknown>;
    assert.deepEqual([ssh.protocol, ssh.host, ssh.username, ssh.port], ['ssh', '10.0.0.7', 'ada', '22']);
    assert.throws(() => resolveEngine({ explicit: 'nowhere' }, env), (err) => isDvomError(err, 'NOT_FOUND') && /nowhere.*docker context ls/.test(err.message));
    assert.throws(
      () => clientOptions({ name: 'default', host: 'fd://', source: 'DOCKER_HOST' }),
      (err: unknown) => (err as { detail?: string }).detail === 'DOCKER_HOST_UNSUPPORTED',
    );
  });
});

describe('two engines at once', { skip: dockerCli ? PrivateDockerd.skipReason() : 'the docker CLI is not installed' }, () => {
  let dockerd: PrivateDockerd;
  let user: CliUser;
  let store: string;
  const dockerConfig = () => path.join(user.home, '.docker');
  const run = (args: string[], env: Record<string, string | undefined> = {}) =>
    user.ok([...args, `--backup-dir=${store}`], { env: { DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, DOCKER_CONFIG: undefined, ...env } });

  before(async () => {
    dockerd = new PrivateDockerd();
    await dockerd.start();
    user = makeCliUser('engines');
    store = path.join(user.home, 'store');
    dockerWith(dockerConfig(), 'context', 'create', 'second', '--docker', `host=${dockerd.host}`);
    dockerd.docker('volume', 'create', 'only-on-second');
    fs.writeFileSync(path.join(dockerd.volumeData('only-on-second'), 'hello.txt'), 'from the second engine\n');
  });
  after(async () => {
    await dockerd?.remove();
    user?.remove();
  });

  test('connectDocker reaches the chosen engine and remembers which one it is', async () => {
    const second = resolveEngine({ explicit: 'second' }, { DOCKER_CONFIG: dockerConfig(), DOCKER_HOST: SHARED });
    const docker = await connectDocker(second);
    assert.deepEqual(engineOf(docker), { name: 'second', host: dockerd.host });
    const names = ((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name);
    assert.ok(names.includes('only-on-second'), names.join(','));
  });

  test('--context, DOCKER_CONTEXT and the config pick the engine; a version records it, encrypted', async () => {
    const listed = (r: { stdout: string }) => (JSON.parse(r.stdout) as { name: string }[]).map((v) => v.name);
    assert.ok(listed(await run(['volumes', '--json', '--context=second'], { DOCKER_HOST: SHARED })).includes('only-on-second'), '--context beats DOCKER_HOST');
    assert.ok(listed(await run(['volumes', '--json'], { DOCKER_CONTEXT: 'second' })).includes('only-on-second'), 'DOCKER_CONTEXT');
    assert.ok(!listed(await run(['volumes', '--json'], { DOCKER_CONTEXT: 'second', DOCKER_HOST: SHARED })).includes('only-on-second'), 'DOCKER_HOST beats DOCKER_CONTEXT');
    fs.mkdirSync(path.dirname(user.configFile), { recursive: true });
    fs.writeFileSync(user.configFile, JSON.stringify({ version: 1, docker: { context: 'second' } }), { mode: 0o600 });
    assert.ok(listed(await run(['volumes', '--json'])).includes('only-on-second'), 'the config\'s choice');

    await run(['backup', '--volume=only-on-second', '--name=second-vol', '--encrypt', '--quiet'], { DVOM_PASSWORD: 'engines password' });
    const locked = await user.run(['versions', 'second-vol', `--backup-dir=${store}`]);
    assert.equal(locked.code, 0, locked.stderr);
    assert.match(locked.stdout, /ENGINE/);
    assert.doesNotMatch(locked.stdout, /second \(/, 'without the password the engine is unknown');
    const unlocked = await run(['versions', 'second-vol', '--json'], { DVOM_PASSWORD: 'engines password' });
    assert.deepEqual((JSON.parse(unlocked.stdout) as { engine?: unknown }[])[0]!.engine, { name: 'second', host: dockerd.host });
    const table = await run(['versions', 'second-vol'], { DVOM_PASSWORD: 'engines password' });
    assert.match(table.stdout, new RegExp(`second \\(${dockerd.host.replace(/[/.]/g, '\\$&')}\\)`));
    // L1's privacy rule: the endpoint (it names the daemon's socket) appears nowhere in plaintext in the store.
    const plaintext = spawnSync('grep', ['-rl', dockerd.dir, store], { encoding: 'utf8' });
    assert.equal(plaintext.stdout, '', 'no stored file holds the endpoint in plaintext');
  });

  test('the app (dvom serve --context) uses the context it was started with, over DOCKER_HOST', async () => {
    const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, DOCKER_HOST: process.env.DOCKER_HOST, DVOM_CONFIG: process.env.DVOM_CONFIG };
    Object.assign(process.env, { DOCKER_CONFIG: dockerConfig(), DOCKER_HOST: SHARED, DVOM_CONFIG: path.join(user.home, 'app-config.json') });
    const app = new DvomApp({ secrets: new MemorySecretStore(), storeSelection: { backupDir: store }, dockerContext: 'second', jobHistory: false });
    try {
      const { name, host, source } = await app.engine();
      assert.deepEqual({ name, host, source }, { name: 'second', host: dockerd.host, source: 'flag' });
      const names = ((await (await app.docker()).listVolumes()).Volumes ?? []).map((v) => v.Name);
      assert.ok(names.includes('only-on-second'), names.join(','));
    } finally {
      await app.shutdown();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('an unknown context fails before anything is read, naming it', async () => {
    const r = await user.run(['volumes', '--context=nowhere', `--backup-dir=${store}`], { env: { DOCKER_CONFIG: undefined } });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /Docker context 'nowhere' not found/);
  });
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in `dir`. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-days', '1', '-subj', '/CN=dvom-test-ca', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  openssl('req', '-x509', ...key, '-days', '1', '-subj', '/CN=another-ca', '-keyout', 'other-ca-key.pem', '-out', 'other-ca.pem');
  for (const [who, ext] of [['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    fs.writeFileSync(path.join(dir, `${who}.ext`), ext + '\n');
    openssl('req', ...key, '-subj', `/CN=${who}`, '-keyout', `${who}-key.pem`, '-out', `${who}.csr`);
    openssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', `${who}.ext`, '-out', `${who}-cert.pem`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('a tcp:// engine with TLS, as a docker context', { skip: dockerCli ? PrivateDockerd.skipReason() : 'the docker CLI is not installed' }, () => {
  let dockerd: PrivateDockerd;
  let certs: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    certs = fs.mkdtempSync(path.join(os.tmpdir(), 'dvom-tls-'));
    makeCertificates(certs);
    const port = await freePort();
    const pem = (f: string) => path.join(certs, f);
    dockerd = new PrivateDockerd([`--host=tcp://127.0.0.1:${port}`, '--tlsverify', `--tlscacert=${pem('ca.pem')}`, `--tlscert=${pem('server-cert.pem')}`, `--tlskey=${pem('server-key.pem')}`]);
    await dockerd.start();
    dockerd.docker('volume', 'create', 'over-tls');
    const config = path.join(certs, 'docker-config');
    env = { DOCKER_CONFIG: config };
    const host = `host=tcp://127.0.0.1:${port}`;
    dockerWith(config, 'context', 'create', 'tls', '--docker', `${host},ca=${pem('ca.pem')},cert=${pem('client-cert.pem')},key=${pem('client-key.pem')}`);
    dockerWith(config, 'context', 'create', 'wrong-ca', '--docker', `${host},ca=${pem('other-ca.pem')},cert=${pem('client-cert.pem')},key=${pem('client-key.pem')}`);
    dockerWith(config, 'context', 'create', 'no-client-cert', '--docker', `${host},ca=${pem('ca.pem')}`);
    dockerWith(config, 'context', 'create', 'skip-verify', '--docker', `${host},cert=${pem('client-cert.pem')},key=${pem('client-key.pem')},skip-tls-verify=true`);
  });
  after(async () => {
    await dockerd?.remove();
    if (certs) fs.rmSync(certs, { recursive: true, force: true });
  });

  const volumesOf = async (context: string) => {
    const docker = await connectDocker(resolveEngine({ explicit: context }, env), 5000);
    return ((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name);
  };

  test('connects with the context\'s CA and client certificate', async () => {
    assert.ok((await volumesOf('tls')).includes('over-tls'));
  });

  test('skip-tls-verify connects without the CA (the client certificate still sent)', async () => {
    assert.ok((await volumesOf('skip-verify')).includes('over-tls'));
  });

  test('a server the CA did not sign, or a missing client certificate, is refused as unreachable', async () => {
    for (const context of ['wrong-ca', 'no-client-cert']) {
      await assert.rejects(volumesOf(context), (err) => isDvomError(err, 'DOCKER_UNAVAILABLE') && err.message.includes(`context ${context}`), context);
    }
  });
});
