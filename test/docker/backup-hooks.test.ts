/**
 * App-consistent hooks against real running containers (busybox scripts
 * standing in for the databases): dvom.backup.pre runs before the volume is
 * read, dvom.backup.post after, always; a failing pre hook aborts with its
 * output (CLI and API, code HOOK_FAILED); a label is split into words and
 * run without a shell unless it names one.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { JobDto } from '../../src/shared/api/dto.ts';
import { createHandlers } from '../../src/main/app/api-handlers.ts';
import { DvomApp } from '../../src/main/app/dvom-app.ts';
import { isolateEnvironment, MemorySecretStore } from '../api/transports.ts';
import { assertNoLeftovers, BUSYBOX_IMAGE, DATA, describeWithDocker, docker, useDockerFixture, versionsOf, type Fixture } from './docker-fixtures.ts';

isolateEnvironment();

/** A running busybox container with `volume` at /data and these labels. */
async function labelled(fx: Fixture, label: string, volume: string, labels: Record<string, string>): Promise<string> {
  const name = fx.name(label);
  await docker(
    'run', '-d', '--name', name, '--network', 'none', '--stop-timeout', '3',
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    '-v', `${volume}:${DATA}`, BUSYBOX_IMAGE, 'sh', '-c', 'trap "exit 0" TERM INT; sleep 3600 & wait',
  );
  return name;
}

/** The files of a version's volume, by restoring it into a fresh volume. */
async function restoredFiles(fx: Fixture, backup: string): Promise<string[]> {
  const into = fx.name('check');
  await fx.dvomOk(['restore', `--snapshot=${backup}`, `--target-volume=${into}`]);
  return (await fx.runInVolume(into, 'cd /data && find . -type f | sort')).split('\n').filter(Boolean);
}

await describeWithDocker('backup hooks (real Docker engine)', () => {
  const fx = useDockerFixture();
  let app: DvomApp;

  before(() => {
    app = new DvomApp({ secrets: new MemorySecretStore(), storeSelection: { backupDir: fx.store } });
  });
  after(async () => {
    await app?.shutdown();
  });

  it('runs the pre hook before the volume is read and the post hook after', async () => {
    const volume = await fx.volume('pg');
    await fx.runInVolume(volume, 'echo row > /data/table');
    // Stands in for pg_dumpall into the volume: the dump must be in the version; the post marker must not.
    const c = await labelled(fx, 'pg', volume, {
      'dvom.backup.pre': `sh -c 'echo "dump of $0" > /data/dump.sql; rm -f /data/post-ran' mydb`,
      'dvom.backup.post': 'touch /data/post-ran',
    });
    const r = await fx.dvomOk(['backup', `--volume=${volume}`, '--name=hooked']);
    assert.match(r.stderr, new RegExp(`Running the pre-backup hook of container ${c}[\\s\\S]*Running the post-backup hook of container ${c}`));
    assert.deepEqual(await restoredFiles(fx, 'hooked'), ['./dump.sql', './table'], 'the pre hook’s dump is in the version, the post marker is not');
    assert.equal(await fx.runInVolume(volume, 'cat /data/dump.sql; ls /data/post-ran'), 'dump of mydb\n/data/post-ran\n');
    await assertNoLeftovers();
  });

  it('a failing pre hook aborts with its output; the post hook still runs; no version', async () => {
    const volume = await fx.volume('my');
    await fx.runInVolume(volume, 'echo x > /data/x');
    const c = await labelled(fx, 'my', volume, {
      'dvom.backup.pre': `sh -c 'echo "ERROR 1045: Access denied for user backup" >&2; exit 3'`,
      'dvom.backup.post': `sh -c 'echo thawed > /data/post-ran'`,
    });
    const r = await fx.dvom(['backup', `--volume=${volume}`, '--name=failing']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`pre-backup hook of container '${c}'.*failed with exit code 3`));
    assert.match(r.stderr, /ERROR 1045: Access denied for user backup/, 'the hook’s output is shown');
    assert.equal(await fx.runInVolume(volume, 'cat /data/post-ran'), 'thawed\n', 'the post hook ran after the failure');
    assert.equal((await fx.dvom(['versions', 'failing', '--json'])).code, 4, 'no backup was left');
    assert.equal((await fx.inspect(c)).running, true);

    // The API's job carries the code, so the app can tell it apart without reading English.
    const handlers = createHandlers(app);
    const { jobId } = await handlers['jobs.startBackup']({ volumes: [volume], backup: 'failing-api', encrypt: false, rememberPassword: false, stopContainers: [] } as never);
    const job = (await app.jobs.wait(jobId)) as JobDto;
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'HOOK_FAILED');
    assert.match(job.error?.message ?? '', /Access denied for user backup/);
    await assertNoLeftovers();
  });

  it('a hook that does not finish in time (label dvom.backup.timeout) fails the backup instead of holding it; the post hook still runs', async () => {
    const volume = await fx.volume('slow');
    await fx.runInVolume(volume, 'echo x > /data/x');
    const c = await labelled(fx, 'slow', volume, {
      'dvom.backup.pre': 'sleep 120',
      'dvom.backup.post': `sh -c 'echo thawed > /data/post-ran'`,
      'dvom.backup.timeout': '2',
    });
    const r = await fx.dvom(['backup', `--volume=${volume}`, '--name=slow']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`pre-backup hook of container '${c}'.*did not finish within 2 s`));
    assert.equal(await fx.runInVolume(volume, 'cat /data/post-ran'), 'thawed\n', 'the post hook ran');
    assert.equal((await fx.dvom(['versions', 'slow', '--json'])).code, 4, 'no backup was left');
  });

  it('a label is not run through a shell: operators and substitutions are plain words', async () => {
    const volume = await fx.volume('evil');
    await labelled(fx, 'evil', volume, {
      // A shell would create /data/pwned-*; echo gets them as arguments instead.
      'dvom.backup.pre': 'echo $(touch /data/pwned-subst); touch /data/pwned-seq && touch /data/pwned-and `touch /data/pwned-tick`',
      // Quoting is respected: one argument with a space, one with a double quote.
      'dvom.backup.post': `sh -c 'printf "[%s]" "$0" "$1" > /data/args' "a b" 'c"d'`,
    });
    await fx.dvomOk(['backup', `--volume=${volume}`, '--name=evil']);
    assert.equal(await fx.runInVolume(volume, 'ls /data'), 'args\n', 'nothing but the post hook’s file');
    assert.equal(await fx.runInVolume(volume, 'cat /data/args'), '[a b][c"d]');
  });

  it('a malformed label is refused before anything runs', async () => {
    const volume = await fx.volume('bad');
    await labelled(fx, 'bad', volume, { 'dvom.backup.pre': `sh -c 'unterminated`, 'dvom.backup.post': 'touch /data/post-ran' });
    const r = await fx.dvom(['backup', `--volume=${volume}`, '--name=bad']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /dvom\.backup\.pre: unterminated '/);
    assert.equal(await fx.runInVolume(volume, 'ls /data'), '', 'no hook ran');
    assert.equal((await versionsOf(fx, 'hooked')).length, 1);
  });
});
