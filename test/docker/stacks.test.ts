/**
 * Compose stacks against a real engine: volumes and containers carrying the
 * labels Docker Compose sets (no compose binary needed) are grouped into a
 * stack; `backup --stack` stops its running containers dependents first and
 * starts them dependencies first, also when the backup fails or is
 * cancelled; `restore --stack` brings every volume back byte for byte.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { createHandlers } from '../../src/main/app/api-handlers.ts';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { isolateEnvironment, MemorySecretStore } from '../api/transports.ts';
import {
  assertNoLeftovers,
  BUSYBOX_IMAGE,
  collect,
  DATA,
  describeWithDocker,
  docker,
  fillRichVolume,
  sleep,
  snapshotVolume,
  useDockerFixture,
  versionsOf,
  type Fixture,
} from './docker-fixtures.ts';

isolateEnvironment();

const PROJECT = 'com.docker.compose.project';

/** A container as Compose would create it: project, service and depends_on labels; PID 1 exits on SIGTERM. */
async function composeContainer(fx: Fixture, stack: string, service: string, volumes: string[], dependsOn: string[], extra: string[] = []): Promise<string> {
  const name = `${stack}-${service}-1`;
  const labels = [`${PROJECT}=${stack}`, `com.docker.compose.service=${service}`, ...extra];
  if (dependsOn.length) labels.push(`com.docker.compose.depends_on=${dependsOn.map((d) => `${d}:service_started:false`).join(',')}`);
  await docker(
    'run', '-d', '--name', name, '--network', 'none', '--stop-timeout', '3',
    ...labels.flatMap((l) => ['--label', l]),
    ...volumes.flatMap((v, i) => ['-v', `${v}:${DATA}${i}`]),
    BUSYBOX_IMAGE, 'sh', '-c', 'trap "exit 0" TERM INT; sleep 3600 & wait',
  );
  return name;
}

/** The order of the "Stopping container X" / "Starting container X" lines. */
function steps(stderr: string, verb: 'Stopping' | 'Starting'): string[] {
  return [...stderr.matchAll(new RegExp(`^${verb} container (\\S+)$`, 'gm'))].map((m) => m[1]!);
}

await describeWithDocker('Compose stacks (real Docker engine)', () => {
  const fx = useDockerFixture();
  // The fixture's prefix is lower-case letters, digits and '-': a valid Compose project name, removed afterwards.
  const stack = `${fx.prefix}-shop`;
  let dbVol = '';
  let filesVol = '';
  let external = '';
  let loose = '';
  const c = { db: '', app: '', web: '', worker: '' };
  const originals: Record<string, Record<string, string>> = {};
  let app: DvomApp;

  before(() => {
    app = new DvomApp({ secrets: new MemorySecretStore(), storeSelection: { backupDir: fx.store } });
  });
  after(async () => {
    await app?.shutdown();
  });

  it('groups volumes by their project label, and an unlabelled volume by the project of its users', async () => {
    dbVol = `${stack}_db`;
    filesVol = `${stack}_files`;
    await docker('volume', 'create', '--label', `${PROJECT}=${stack}`, '--label', 'com.docker.compose.volume=db', dbVol);
    await docker('volume', 'create', '--label', `${PROJECT}=${stack}`, '--label', 'com.docker.compose.volume=files', filesVol);
    external = await fx.volume('external'); // no label: Compose's "external: true"
    loose = await fx.volume('loose');
    await fillRichVolume(fx, dbVol, 256);
    await fx.runInVolume(filesVol, 'mkdir -p /data/uploads && head -c 200000 /dev/urandom > /data/uploads/a.bin && echo hi > /data/index.html');
    await fx.runInVolume(external, 'head -c 3000 /dev/urandom > /data/shared.bin');
    // web -> app -> db, worker -> db: stop web, then app and worker, then db.
    // Its hooks write into the container's own filesystem (kept across stop and start), not into a volume backed up.
    c.db = await composeContainer(fx, stack, 'db', [dbVol], [], [`dvom.backup.pre=sh -c 'echo pre >> /tmp/hooks'`, `dvom.backup.post=sh -c 'echo post >> /tmp/hooks'`]);
    c.app = await composeContainer(fx, stack, 'app', [filesVol, external], ['db']);
    c.worker = await composeContainer(fx, stack, 'worker', [external], ['db']);
    c.web = await composeContainer(fx, stack, 'web', [filesVol], ['app']);
    for (const v of [dbVol, filesVol, external]) originals[v] = await snapshotVolume(v);

    const rows = JSON.parse((await fx.dvomOk(['volumes', '--json'])).stdout) as { name: string; stack: string | null }[];
    const stackOf = (v: string) => rows.find((r) => r.name === v)?.stack;
    assert.equal(stackOf(dbVol), stack);
    assert.equal(stackOf(filesVol), stack);
    assert.equal(stackOf(external), stack, 'used only by the stack’s containers');
    assert.equal(stackOf(loose), null, 'outside any project: listed on its own');
    const table = (await fx.dvomOk(['volumes'])).stdout;
    assert.match(table.split('\n').find((l) => l.startsWith(`${loose} `)) ?? '', / -$/);
    assert.ok(table.split('\n').find((l) => l.startsWith(`${dbVol} `))?.endsWith(stack), table);
  });

  it('backup --stack: one version of all the stack’s volumes; containers stopped dependents first, started dependencies first', async () => {
    const before = await fx.inspect(c.db);
    const r = await fx.dvomOk(['backup', `--stack=${stack}`, '--name=shop']);
    assert.deepEqual(steps(r.stderr, 'Stopping'), [c.web, c.worker, c.app, c.db]);
    assert.deepEqual(steps(r.stderr, 'Starting'), [c.db, c.app, c.worker, c.web]);
    const at = (text: string) => r.stderr.indexOf(text);
    assert.ok(at(`Running the pre-backup hook of container ${c.db}`) < at('Stopping container'), 'the pre hook runs while its container still does');
    assert.ok(at(`Running the post-backup hook of container ${c.db}`) > r.stderr.lastIndexOf('Starting container'), 'the post hook once it runs again');
    assert.equal(await docker('exec', c.db, 'cat', '/tmp/hooks'), 'pre\npost\n');
    for (const name of Object.values(c)) assert.equal((await fx.inspect(name)).running, true, `${name} runs again`);
    const after = await fx.inspect(c.db);
    assert.ok(after.startedAt > before.startedAt, 'db was restarted');
    // The engine's own clock agrees with the logged order.
    const [web, app, db] = [await fx.inspect(c.web), await fx.inspect(c.app), after];
    assert.ok(web.finishedAt <= app.finishedAt && app.finishedAt <= db.finishedAt, 'stopped web, app, db in that order');
    assert.ok(db.startedAt <= app.startedAt && app.startedAt <= web.startedAt, 'started db, app, web in that order');
    const [version] = await versionsOf(fx, 'shop');
    assert.deepEqual(version?.volumes.toSorted(), [dbVol, external, filesVol].toSorted());
    await assertNoLeftovers();
  });

  it('backup --stack --per-volume: one backup per volume', async () => {
    const r = await fx.dvomOk(['backup', `--stack=${stack}`, '--name=per', '--per-volume']);
    assert.deepEqual(steps(r.stderr, 'Stopping'), [c.web, c.worker, c.app, c.db], 'stopped once around all of them');
    assert.equal(await docker('exec', c.db, 'cat', '/tmp/hooks'), 'pre\npost\npre\npost\n', 'hooks once around all of them too');
    for (const v of [dbVol, filesVol, external]) assert.deepEqual((await versionsOf(fx, `per-${v}`))[0]?.volumes, [v]);
    for (const name of Object.values(c)) assert.equal((await fx.inspect(name)).running, true);
  });

  it('a backup that fails after the stop still starts every container again, in order', async () => {
    // The backup's packs folder replaced by a file: the first new pack cannot be written.
    const packs = path.join(fx.store, 'backups', 'shop', 'packs');
    await fs.rename(packs, `${packs}.real`);
    await fs.writeFile(packs, 'not a folder');
    try {
      await fx.runInVolume(filesVol, 'head -c 100000 /dev/urandom > /data/new.bin');
      const r = await fx.dvom(['backup', `--stack=${stack}`, '--name=shop']);
      assert.notEqual(r.code, 0, r.stderr);
      assert.deepEqual(steps(r.stderr, 'Stopping'), [c.web, c.worker, c.app, c.db], r.stderr);
      assert.deepEqual(steps(r.stderr, 'Starting'), [c.db, c.app, c.worker, c.web]);
      for (const name of Object.values(c)) assert.equal((await fx.inspect(name)).running, true, `${name} runs again`);
      assert.equal((await versionsOf(fx, 'shop')).length, 1, 'no new version');
    } finally {
      await fs.rm(packs);
      await fs.rename(`${packs}.real`, packs);
      await fx.runInVolume(filesVol, 'rm /data/new.bin');
    }
    await assertNoLeftovers();
  });

  it('Ctrl-C during a stack backup starts every container again, in order, and makes no version', async () => {
    await fx.runInVolume(dbVol, 'busybox truncate -s 1G /data/big.bin');
    try {
      const child = fx.spawnDvom(['backup', `--stack=${stack}`, '--name=shop']);
      const done = collect(child, 120_000);
      let exited = false;
      void done.then(() => (exited = true), () => (exited = true));
      // Cancel once the last container (db) is seen stopped: the read of 1 GiB has begun.
      while (!exited && (await fx.inspect(c.db)).running) await sleep(50);
      assert.equal(exited, false, 'dvom was still running when db was stopped');
      child.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 130, r.stderr);
      assert.deepEqual(steps(r.stderr, 'Starting'), [c.db, c.app, c.worker, c.web]);
      for (const name of Object.values(c)) assert.equal((await fx.inspect(name)).running, true, `${name} runs again`);
      assert.equal((await versionsOf(fx, 'shop')).length, 1, 'no new version');
    } finally {
      await fx.runInVolume(dbVol, 'rm /data/big.bin');
    }
    await assertNoLeftovers();
  });

  it('restore --stack brings every volume back byte-identical, replacing them only with --force', async () => {
    await fx.runInVolume(dbVol, 'rm -rf /data/dir1 && echo changed > /data/hello.txt');
    await fx.runInVolume(filesVol, 'echo defaced > /data/index.html && head -c 5000 /dev/urandom > /data/junk');
    await fx.runInVolume(external, 'rm /data/shared.bin');
    const changed = await snapshotVolume(dbVol);

    const refused = await fx.dvom(['restore', '--snapshot=shop', `--stack=${stack}`]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /not empty.*--force/);
    assert.deepEqual(await snapshotVolume(dbVol), changed, 'untouched');
    assert.equal((await fx.inspect(c.db)).running, true);

    // A version whose volume is not the stack's (a store can name any volume) is refused, even with --force.
    await fx.runInVolume(loose, 'echo mine > /data/keep.txt');
    const looseBefore = await snapshotVolume(loose);
    await fx.dvomOk(['backup', `--volume=${loose}`, '--name=loose-b']);
    const foreign = await fx.dvom(['restore', '--snapshot=loose-b', `--stack=${stack}`, '--force']);
    assert.equal(foreign.code, 2, foreign.stderr);
    assert.match(foreign.stderr, new RegExp(`volume '${loose}' exists on this engine but is not part of stack`));
    assert.deepEqual(await snapshotVolume(loose), looseBefore, 'not touched');

    const r = await fx.dvomOk(['restore', '--snapshot=shop', `--stack=${stack}`, '--force']);
    assert.deepEqual(steps(r.stderr, 'Stopping'), [c.web, c.worker, c.app, c.db]);
    assert.deepEqual(steps(r.stderr, 'Starting'), [c.db, c.app, c.worker, c.web]);
    for (const v of [dbVol, filesVol, external]) assert.deepEqual(await snapshotVolume(v), originals[v], `${v} restored exactly`);
    for (const name of Object.values(c)) assert.equal((await fx.inspect(name)).running, true);
    await assertNoLeftovers();
  });

  it('the app API: volumes list their stack, a live volume’s folder can be browsed, a stack is backed up and restored as jobs', async () => {
    const handlers = createHandlers(app);
    const list = await handlers['volumes.list']({});
    assert.equal(list.find((v) => v.name === dbVol)?.stack, stack);
    assert.equal(list.find((v) => v.name === loose)?.stack, undefined);
    const tree = await handlers['volumes.tree']({ volume: dbVol, path: 'dir1' });
    assert.deepEqual(tree.map((n) => [n.path, n.type]), [['dir1/dir2', 'dir'], ['dir1/random.bin', 'file'], ['dir1/small.bin', 'file'], ['dir1/up-link', 'symlink']]);
    assert.equal(tree.find((n) => n.name === 'small.bin')?.size, 777);

    const backup = await handlers['jobs.startStackBackup']({ stack, backup: 'api-shop', perVolume: false, encrypt: true, password: 'pw', rememberPassword: false, target: undefined });
    const backedUp = await app.jobs.wait(backup.jobId);
    assert.equal(backedUp?.state, 'succeeded', JSON.stringify(backedUp?.error));
    await fx.runInVolume(filesVol, 'echo defaced > /data/index.html');
    await fx.runInVolume(external, 'echo extra > /data/extra');
    const restore = await handlers['jobs.startStackRestore']({ backup: 'api-shop', stack, force: true, password: 'pw', version: undefined, target: undefined });
    const restored = await app.jobs.wait(restore.jobId);
    assert.equal(restored?.state, 'succeeded', JSON.stringify(restored?.error));
    for (const v of [dbVol, filesVol, external]) assert.deepEqual(await snapshotVolume(v), originals[v], `${v} restored exactly`);
    for (const name of Object.values(c)) assert.equal((await fx.inspect(name)).running, true);
    await assertNoLeftovers();
  });

  it('a schedule may name a stack: each run backs up the stack’s volumes as they are then, containers in order', async () => {
    await fx.dvomOk(['schedule', 'add', 'nightly-shop', `--stack=${stack}`, '--backup=sched-shop', '--no-encrypt', '--daily=02:30']);
    const listed = JSON.parse((await fx.dvomOk(['schedule', 'list', '--json'])).stdout) as { schedules?: { name: string; stack?: string; volumes: string[] }[] } | { name: string; stack?: string; volumes: string[] }[];
    const schedules = Array.isArray(listed) ? listed : (listed.schedules ?? []);
    assert.deepEqual(schedules.map((x) => [x.name, x.stack, x.volumes]), [['nightly-shop', stack, []]]);
    const refused = await fx.dvom(['schedule', 'add', 'both', `--stack=${stack}`, '--volume=x', '--backup=b', '--no-encrypt', '--daily=02:30']);
    assert.equal(refused.code, 2, refused.stderr);
    const r = await fx.dvomOk(['schedule', 'run', 'nightly-shop']);
    assert.deepEqual(steps(r.stderr, 'Stopping'), [c.web, c.worker, c.app, c.db], r.stderr);
    assert.deepEqual(steps(r.stderr, 'Starting'), [c.db, c.app, c.worker, c.web]);
    assert.deepEqual((await versionsOf(fx, 'sched-shop'))[0]?.volumes.toSorted(), [dbVol, external, filesVol].toSorted());
    for (const name of Object.values(c)) assert.equal((await fx.inspect(name)).running, true);
  });

  it('restore --stack onto a host without the stack creates its volumes, labelled for Compose', async () => {
    await docker('rm', '-f', ...Object.values(c));
    await docker('volume', 'rm', dbVol, filesVol, external);
    await fx.dvomOk(['restore', '--snapshot=shop', `--stack=${stack}`]);
    for (const v of [dbVol, filesVol, external]) assert.deepEqual(await snapshotVolume(v), originals[v], `${v} restored exactly`);
    const labels = JSON.parse(await docker('volume', 'inspect', '--format', '{{json .Labels}}', dbVol)) as Record<string, string>;
    assert.equal(labels[PROJECT], stack);
    assert.equal(labels['com.docker.compose.volume'], 'db');
    await assertNoLeftovers();
  });
});
