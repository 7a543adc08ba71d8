/**
 * The app API end to end, the same suite over both transports (Electron IPC
 * through the preload, and `dvom serve`'s WebSocket), against a real Docker
 * engine: volumes, an encrypted backup as a job with progress events, listing,
 * test restores, remembered passwords, a restore into a new volume, a
 * failing job, cancellation with full cleanup, and the error contract
 * (codes, field names, no internals).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError, type ApiClient } from '../../src/shared/api/client.ts';
import type { ApiMethod, ParamsOf } from '../../src/shared/api/contract.ts';
import type { JobDto, JobState } from '../../src/shared/api/dto.ts';
import { DVOM_VERSION } from '../../src/main/version.ts';
import {
  acquireDockerLock,
  DockerScope,
  dockerSkipReason,
  dvomLeftovers,
  EMPTY_IMAGE,
  ensureEmptyImage,
  helpersUsing,
} from './docker-helpers.ts';
import { isolateEnvironment, TRANSPORTS, type ApiHarness } from './transports.ts';
import { coarseBytes } from '../../src/main/engine/repo/version-file.ts';

const envDir = isolateEnvironment();
after(() => fs.rm(envDir, { recursive: true, force: true }));

const PASSWORD = 'api-test correct horse';
const WRONG = 'api-test wrong horse';
const HELLO = 'hello from the DVOM API test\n';
const BIG_MIB = 128;
const MEDIUM_MIB = 48;

/** Collects every event of a client; waits for a job's final update. */
class EventLog {
  readonly jobs: JobDto[] = [];
  readonly all: { event: string; payload: unknown }[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly stop: () => void;

  constructor(h: ApiHarness) {
    const offRaw = h.transport.subscribe((event, payload) => {
      this.all.push({ event, payload });
      this.wake();
    });
    const offJobs = h.client.on('job.updated', (job) => {
      this.jobs.push(job);
      this.wake();
    });
    this.stop = () => {
      offRaw();
      offJobs();
    };
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  updatesOf(id: string): JobDto[] {
    return this.jobs.filter((j) => j.id === id);
  }

  finalOf(id: string): JobDto | undefined {
    return this.updatesOf(id).find((j) => j.state !== 'running');
  }

  count(event: string): number {
    return this.all.filter((e) => e.event === event).length;
  }

  /** The job's final 'job.updated' event (pushed, never polled). */
  async final(id: string, timeoutMs = 60_000): Promise<JobDto> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = this.finalOf(id);
      if (done) return done;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no final job.updated event for ${id} within ${timeoutMs} ms; got ${JSON.stringify(this.updatesOf(id))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Fails unless an error message is free of stack frames and source paths. */
function assertNoInternals(message: string): void {
  assert.doesNotMatch(message, /\n\s*at |^\s*at \S+ \(/m, `stack frames in: ${message}`);
  assert.doesNotMatch(message, /\.(ts|js|mjs):\d+|\/src\/main\/|node_modules|node:internal/, `source paths in: ${message}`);
}

/** Expects an ApiError with `code`; returns it. */
async function rejectsWith(promise: Promise<unknown>, code: string, messagePattern?: RegExp): Promise<ApiError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ApiError, `expected an ApiError ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.code, code, `code of: ${caught.message}`);
  assert.equal(typeof caught.message, 'string');
  assert.ok(caught.message.length > 0);
  assertNoInternals(caught.message);
  if (messagePattern) assert.match(caught.message, messagePattern);
  return caught;
}

/** Expects the raw transport to reject with a plain {code, message} shape. */
async function rawRejectsWith(h: ApiHarness, method: string, params: unknown, code: string): Promise<{ code: string; message: string }> {
  let caught: unknown;
  try {
    await h.transport.invoke(method, params);
  } catch (err) {
    caught = err;
  }
  const shape = caught as { code?: unknown; message?: unknown };
  assert.ok(shape && typeof shape.code === 'string' && typeof shape.message === 'string', `expected {code, message}, got ${String(caught)}`);
  assert.deepEqual(Object.keys(shape).sort(), ['code', 'message'], 'only code and message cross the boundary');
  assert.equal(shape.code, code, String(shape.message));
  assertNoInternals(shape.message as string);
  return shape as { code: string; message: string };
}

const skip = await dockerSkipReason();

describe('app API contract over both transports', { skip }, () => {
  const scope = new DockerScope();
  let release: (() => Promise<void>) | undefined;
  let localRoot = '';
  let source = '';
  let sourceContainer = '';
  let big = '';
  let medium = '';
  let dataBin = Buffer.alloc(0);
  let baseline = new Set<string>();

  before(async () => {
    release = await acquireDockerLock();
    await ensureEmptyImage();
    baseline = new Set(await dvomLeftovers());
    localRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-api-data-'));

    const small = path.join(localRoot, 'small');
    await fs.mkdir(path.join(small, 'sub'), { recursive: true });
    await fs.writeFile(path.join(small, 'hello.txt'), HELLO);
    dataBin = randomBytes(200_001);
    await fs.writeFile(path.join(small, 'sub', 'data.bin'), dataBin);
    source = await scope.volume('source');
    sourceContainer = await scope.container(source); // kept: shows up in usedBy, never started
    await scope.fill(source, small, sourceContainer);

    const large = path.join(localRoot, 'large');
    await fs.mkdir(large);
    for (let i = 0; i < BIG_MIB / 32; i++) await fs.writeFile(path.join(large, `random-${i}.bin`), randomBytes(32 * 1024 * 1024));
    big = await scope.volume('big');
    await scope.fill(big, large);
    await fs.rm(large, { recursive: true, force: true });

    const mid = path.join(localRoot, 'medium');
    await fs.mkdir(mid);
    await fs.writeFile(path.join(mid, 'random.bin'), randomBytes(MEDIUM_MIB * 1024 * 1024));
    medium = await scope.volume('medium');
    await scope.fill(medium, mid);
  });

  after(async () => {
    try {
      await scope.cleanup();
      if (localRoot) await fs.rm(localRoot, { recursive: true, force: true });
    } finally {
      await release?.();
    }
  });

  for (const { name: transportName, create } of TRANSPORTS) {
    describe(`over ${transportName}`, () => {
      let h: ApiHarness;
      let client: ApiClient;
      let log: EventLog;
      const backup = `enc-${transportName}`;
      let backupJob = '';
      let restoredVolume = '';
      const resultsSeen: unknown[] = [];

      const call = async <M extends ApiMethod>(method: M, params: ParamsOf<M>) => {
        const result = await client.call(method, params);
        resultsSeen.push(result);
        return result;
      };

      before(async () => {
        h = await create();
        client = h.client;
        log = new EventLog(h);
      });
      after(async () => {
        log?.stop();
        await h?.close();
      });

      it('app.info describes the app', async () => {
        const info = await call('app.info', {});
        assert.deepEqual(Object.keys(info).sort(), ['dockerHost', 'engine', 'keychain', 'storeLocation', 'version']);
        assert.equal(info.version, DVOM_VERSION);
        assert.equal(info.storeLocation, h.backupDir);
        assert.equal(info.keychain, 'test keychain');
        assert.equal(typeof info.dockerHost, 'string');
        assert.ok(info.dockerHost.length > 0);
        assert.equal(info.engine.host, info.dockerHost, 'the engine in use and its endpoint');
        assert.equal(typeof info.engine.name, 'string');
      });

      it('volumes.list includes the test volume, its (stopped) user and no backup yet', async () => {
        const volumes = await call('volumes.list', {});
        const v = volumes.find((x) => x.name === source);
        assert.ok(v, `volume ${source} not listed`);
        assert.equal(v.driver, 'local');
        assert.ok(v.size === null || (typeof v.size === 'number' && v.size >= 0));
        assert.deepEqual(v.usedBy, [{ name: sourceContainer, running: false, image: EMPTY_IMAGE }]);
        assert.equal(v.lastBackup, null);
        assert.ok(volumes.some((x) => x.name === big));
        assert.ok(!volumes.some((x) => x.name.startsWith('dvom-test-') || x.name.startsWith('dvom-restore-')), 'temporary volumes are listed');
      });

      it('a new encrypted backup needs a password', async () => {
        await rejectsWith(call('jobs.startBackup', { volumes: [source], backup: `${backup}-nopw`, encrypt: true }), 'PASSWORD_REQUIRED');
        const list = await call('backups.list', {});
        assert.ok(!list.some((b) => b.name === `${backup}-nopw`));
      });

      it('jobs.startBackup returns a job id at once; progress and the outcome arrive as job.updated events', async () => {
        const { jobId } = await call('jobs.startBackup', { volumes: [source], backup, encrypt: true, password: PASSWORD });
        assert.match(jobId, /^job-[0-9a-f]{12}$/);
        assert.equal(log.finalOf(jobId), undefined, 'the call waited for the job to finish');
        backupJob = jobId;

        const done = await log.final(jobId);
        const updates = log.updatesOf(jobId);
        assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
        assert.equal(done.kind, 'backup');
        assert.equal(done.error, null);
        assert.match(done.title, new RegExp(`${source}.*${backup}`));
        assert.match(done.result ?? '', /^Version of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: 2 files, /);
        assert.ok(done.finishedAt);

        const running = updates.filter((u) => u.state === 'running');
        assert.ok(running.length >= 1, 'no running update');
        assert.equal(running[0]!.progress, null, 'the first update announces the job');
        const withProgress = running.filter((u) => u.progress);
        assert.ok(withProgress.length >= 1, `no progress event among ${running.length} running updates`);
        for (const u of withProgress) {
          assert.equal(typeof u.progress!.phase, 'string');
          assert.equal(typeof u.progress!.bytesDone, 'number');
          assert.equal(typeof u.progress!.filesDone, 'number');
        }
        const phases = new Set(withProgress.map((u) => u.progress!.phase));
        assert.ok(phases.has('done'), `phases seen: ${[...phases].join(', ')}`);
        assert.equal(done.progress?.phase, 'done');
        assert.equal(done.progress?.bytesDone, HELLO.length + dataBin.length);
        assert.equal(updates.at(-1), done, 'nothing after the final update');
        assert.equal(updates.filter((u) => u.state !== 'running').length, 1);
        assert.ok(log.count('backups.changed') >= 1, 'no backups.changed event');
      });

      it('jobs.list shows the finished backup job', async () => {
        const jobs = await call('jobs.list', {});
        const job = jobs.find((j) => j.id === backupJob);
        assert.ok(job);
        assert.equal(job.state, 'succeeded');
        assert.equal(job.kind, 'backup');
        assert.deepEqual(job, log.finalOf(backupJob));
        assert.equal(jobs[0]!.id, backupJob, 'newest first');
      });

      it('backups.list shows the encrypted backup with its volume; backups.versions lists one version', async () => {
        const list = await call('backups.list', {});
        const b = list.find((x) => x.name === backup);
        assert.ok(b, `backup ${backup} not listed in ${JSON.stringify(list.map((x) => x.name))}`);
        assert.equal(b.encrypted, true);
        assert.equal(b.versions, 1);
        assert.deepEqual(b.volumes, [source]);
        assert.equal(b.passwordRemembered, false);
        assert.ok(b.storedBytes > 0);
        assert.equal(b.latest?.stats.files, 2);

        const versions = await call('backups.versions', { backup });
        assert.equal(versions.length, 1);
        const v = versions[0]!;
        assert.equal(v.id, b.latest?.id);
        assert.equal(v.sourceKind, 'volume');
        assert.deepEqual(v.volumes, [source]);
        assert.equal(v.stats.files, 2);
        // No password at hand: an encrypted backup's sizes are listed coarse (L1).
        assert.equal(v.stats.bytes, coarseBytes(HELLO.length + dataBin.length));
        assert.ok(v.stats.dirs >= 1);

        const vols = await call('volumes.list', {});
        assert.equal(vols.find((x) => x.name === source)?.lastBackup?.backup, backup);
        await rejectsWith(call('backups.versions', { backup: 'no-such-backup' }), 'NOT_FOUND');
      });

      it('jobs.startTestRestore with the password succeeds', async () => {
        const { jobId } = await call('jobs.startTestRestore', { backup, password: PASSWORD });
        const done = await log.final(jobId);
        assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
        assert.equal(done.kind, 'test-restore');
        assert.match(done.result ?? '', /^Passed: 2 files, /);
      });

      it('jobs.startTestRestore without a password and none remembered is PASSWORD_REQUIRED; a wrong one is WRONG_PASSWORD', async () => {
        await rejectsWith(call('jobs.startTestRestore', { backup }), 'PASSWORD_REQUIRED', new RegExp(backup));
        await rejectsWith(call('jobs.startTestRestore', { backup, password: WRONG }), 'WRONG_PASSWORD');
        await rawRejectsWith(h, 'jobs.startTestRestore', { backup }, 'PASSWORD_REQUIRED');
      });

      it('secrets.setPassword refuses a wrong password and stores nothing', async () => {
        await rejectsWith(call('secrets.setPassword', { backup, password: WRONG }), 'WRONG_PASSWORD');
        assert.deepEqual(await call('secrets.hasPassword', { backup }), { remembered: false });
        assert.equal(h.secrets.entries.size, 0);
      });

      it('secrets.setPassword stores the right password; a test restore then needs none', async () => {
        assert.deepEqual(await call('secrets.setPassword', { backup, password: PASSWORD }), { stored: true });
        assert.deepEqual(await call('secrets.hasPassword', { backup }), { remembered: true });
        assert.deepEqual([...h.secrets.entries.values()], [PASSWORD]);
        assert.equal((await call('backups.list', {})).find((b) => b.name === backup)?.passwordRemembered, true);

        const { jobId } = await call('jobs.startTestRestore', { backup });
        const done = await log.final(jobId);
        assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
      });

      it('a wrong remembered password is reported as such', async () => {
        const [account] = [...h.secrets.entries.keys()];
        h.secrets.entries.set(account!, WRONG);
        await rejectsWith(call('jobs.startTestRestore', { backup }), 'REMEMBERED_PASSWORD_WRONG', /remembered/);
        h.secrets.entries.set(account!, PASSWORD);
      });

      it('secrets.deletePassword forgets it', async () => {
        assert.deepEqual(await call('secrets.deletePassword', { backup }), { deleted: true });
        assert.deepEqual(await call('secrets.hasPassword', { backup }), { remembered: false });
        assert.equal(h.secrets.entries.size, 0);
        assert.deepEqual(await call('secrets.deletePassword', { backup }), { deleted: false });
        await rejectsWith(call('jobs.startTestRestore', { backup }), 'PASSWORD_REQUIRED');
      });

      it('jobs.startRestore into a new volume brings the files back', async () => {
        restoredVolume = scope.name(`restored-${transportName}`);
        const { jobId } = await call('jobs.startRestore', { backup, destinationVolume: restoredVolume, password: PASSWORD });
        const done = await log.final(jobId);
        assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
        assert.equal(done.kind, 'restore');
        // Which backup, which version, from which volume, into which: two restores of one backup can be told apart.
        assert.match(done.title, new RegExp(`^Restore ${backup} on the default store, version of [\\d-]+ [\\d:]+ \\(${source}\\), into ${restoredVolume}$`));
        assert.match(done.result ?? '', new RegExp(`new volume '${restoredVolume}'`));
        assert.equal((await scope.readFile(restoredVolume, 'hello.txt')).toString(), HELLO);
        assert.ok((await scope.readFile(restoredVolume, 'sub/data.bin')).equals(dataBin), 'sub/data.bin differs');
        assert.ok((await call('volumes.list', {})).some((v) => v.name === restoredVolume));
      });

      it('picked files go back into the volume keeping the rest (merge), and into a folder on this machine', async () => {
        const merge = await call('jobs.startRestore', { backup, destinationVolume: restoredVolume, paths: ['hello.txt'], mode: 'merge', onExisting: 'skip', password: PASSWORD });
        const merged = await log.final(merge.jobId);
        assert.equal(merged.state, 'succeeded', JSON.stringify(merged.error));
        assert.match(merged.result ?? '', /0 files written, 1 kept as they were .*everything else left as it was/);
        assert.ok((await scope.readFile(restoredVolume, 'sub/data.bin')).equals(dataBin), 'the rest is kept');

        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvom-api-folder-'));
        try {
          await fs.writeFile(path.join(dir, 'hello.txt'), 'mine\n');
          await fs.writeFile(path.join(dir, 'other.txt'), 'other\n');
          const toDir = await call('jobs.startRestore', { backup, destinationDir: dir, mode: 'merge', onExisting: 'overwrite', password: PASSWORD });
          const done = await log.final(toDir.jobId);
          assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
          assert.match(done.title, new RegExp(`into ${dir}$`));
          assert.equal(await fs.readFile(path.join(dir, 'hello.txt'), 'utf8'), HELLO, 'overwritten');
          assert.ok((await fs.readFile(path.join(dir, 'sub/data.bin'))).equals(dataBin));
          assert.equal(await fs.readFile(path.join(dir, 'other.txt'), 'utf8'), 'other\n', 'kept');
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
      });

      it('a restore into a volume that is not empty fails as a job with a clean {code, message}, and the volume is untouched', async () => {
        const { jobId } = await call('jobs.startRestore', { backup, destinationVolume: restoredVolume, password: PASSWORD });
        const done = await log.final(jobId);
        assert.equal(done.state, 'failed');
        assert.equal(done.result, null);
        assert.deepEqual(Object.keys(done.error ?? {}).sort(), ['code', 'message']);
        assert.equal(done.error!.code, 'DESTINATION_NOT_EMPTY');
        assert.match(done.error!.message, /not empty/);
        assertNoInternals(done.error!.message);
        assert.equal((await scope.readFile(restoredVolume, 'hello.txt')).toString(), HELLO);
      });

      it('jobs.cancel stops a running backup: state cancelled, no helper containers or temporary volumes left', async () => {
        const cancelBackup = `cancel-${transportName}`;
        const { jobId } = await call('jobs.startBackup', { volumes: [big], backup: cancelBackup, encrypt: true, password: PASSWORD });
        assert.deepEqual(await call('jobs.cancel', { jobId }), { cancelled: true });
        const done = await log.final(jobId);
        assert.equal(done.state, 'cancelled', `state ${done.state}: ${JSON.stringify(done.error)} ${done.result}`);
        assert.equal(done.error?.code, 'CANCELLED');
        assert.equal(done.result, null);
        assert.ok((done.progress?.bytesDone ?? 0) < BIG_MIB * 1024 * 1024, 'the backup ran to the end');

        assert.deepEqual(await call('jobs.cancel', { jobId }), { cancelled: false });
        assert.equal((await call('jobs.list', {})).find((j) => j.id === jobId)?.state, 'cancelled' satisfies JobState);
        assert.deepEqual(await helpersUsing(big), [], 'a helper container still mounts the volume');
        const left = (await dvomLeftovers()).filter((l) => !baseline.has(l));
        assert.deepEqual(left, [], `left on the engine: ${left.join(', ')}`);
        const b = (await call('backups.list', {})).find((x) => x.name === cancelBackup);
        assert.equal(b?.versions ?? 0, 0, 'a cancelled backup wrote a version');
      });

      it('cancelling a test restore and a restore cleans up: no scratch volume, no half-restored target, no helpers', async () => {
        const mediumBackup = `medium-${transportName}`;
        const first = await call('jobs.startBackup', { volumes: [medium], backup: mediumBackup, encrypt: true, password: PASSWORD });
        const backedUp = await log.final(first.jobId);
        assert.equal(backedUp.state, 'succeeded', JSON.stringify(backedUp.error));

        const test = await call('jobs.startTestRestore', { backup: mediumBackup, password: PASSWORD });
        assert.deepEqual(await call('jobs.cancel', { jobId: test.jobId }), { cancelled: true });
        const testDone = await log.final(test.jobId);
        assert.equal(testDone.state, 'cancelled', `${testDone.state}: ${JSON.stringify(testDone.error)} ${testDone.result}`);

        const target = scope.name(`cancelled-restore-${transportName}`);
        const restore = await call('jobs.startRestore', { backup: mediumBackup, destinationVolume: target, password: PASSWORD });
        assert.deepEqual(await call('jobs.cancel', { jobId: restore.jobId }), { cancelled: true });
        const restoreDone = await log.final(restore.jobId);
        assert.equal(restoreDone.state, 'cancelled', `${restoreDone.state}: ${JSON.stringify(restoreDone.error)} ${restoreDone.result}`);
        assert.ok(!(await call('volumes.list', {})).some((v) => v.name === target), 'the half-restored new volume was kept');

        const left = (await dvomLeftovers()).filter((l) => !baseline.has(l));
        assert.deepEqual(left, [], `left on the engine: ${left.join(', ')}`);
        assert.deepEqual(await helpersUsing(medium), []);
      });

      it('a backup of a volume that does not exist is refused at once with NOT_FOUND and creates no backup', async () => {
        const missing = scope.name('missing');
        const name = `typo-${transportName}`;
        await assert.rejects(
          call('jobs.startBackup', { volumes: [missing], backup: name, encrypt: true, password: WRONG }),
          (err: ApiError) => err.code === 'NOT_FOUND' && new RegExp(missing).test(err.message),
        );
        const list = await call('backups.list', {});
        assert.ok(!list.some((b) => b.name === name), `backup '${name}' was created: ${JSON.stringify(list.find((b) => b.name === name))}`);
        // The user's retry with the real volume and their real password must work.
        const retry = await call('jobs.startBackup', { volumes: [source], backup: name, encrypt: true, password: PASSWORD });
        assert.equal((await log.final(retry.jobId)).state, 'succeeded');
      });

      it('jobs.cancel of an unknown job is false', async () => {
        assert.deepEqual(await call('jobs.cancel', { jobId: 'job-000000000000' }), { cancelled: false });
      });

      describe('invalid params are INVALID_ARGUMENT naming the field', () => {
        const cases: { what: string; method: ApiMethod; params: unknown; field: RegExp }[] = [
          { what: "a backup name with '..' and '/'", method: 'jobs.startBackup', params: { volumes: ['v'], backup: '../x', encrypt: false }, field: /jobs\.startBackup: backup: / },
          { what: 'no volumes', method: 'jobs.startBackup', params: { volumes: [], backup: 'b', encrypt: false }, field: /volumes: choose at least one volume/ },
          { what: 'a bad volume name', method: 'jobs.startBackup', params: { volumes: ['-rf'], backup: 'b', encrypt: false }, field: /volumes\.0: / },
          { what: 'encrypt missing', method: 'jobs.startBackup', params: { volumes: ['v'], backup: 'b' }, field: /encrypt/ },
          { what: 'encrypt as a string', method: 'jobs.startBackup', params: { volumes: ['v'], backup: 'b', encrypt: 'yes' }, field: /encrypt/ },
          { what: 'an unknown extra field', method: 'jobs.startTestRestore', params: { backup: 'b', sneaky: true }, field: /sneaky/ },
          { what: 'an extra field on a method without params', method: 'app.info', params: { x: 1 }, field: /"x"/ },
          { what: 'an empty password', method: 'secrets.setPassword', params: { backup: 'b', password: '' }, field: /password: the password must not be empty/ },
          { what: 'a malformed job id', method: 'jobs.cancel', params: { jobId: '../../job' }, field: /jobId: a job id/ },
          { what: 'a destination volume with a slash', method: 'jobs.startRestore', params: { backup: 'b', destinationVolume: 'a/b' }, field: /destinationVolume/ },
          { what: 'a destination folder inside /etc', method: 'jobs.startRestore', params: { backup: 'b', destinationDir: '/etc/dvom' }, field: /destinationDir: not inside \/etc/ },
          { what: 'the root folder as destination', method: 'jobs.startRestore', params: { backup: 'b', destinationDir: '/' }, field: /destinationDir: not the root/ },
          { what: 'a relative destination folder', method: 'jobs.startRestore', params: { backup: 'b', destinationDir: 'restored' }, field: /destinationDir: give an absolute path/ },
          { what: 'both a destination volume and folder', method: 'jobs.startRestore', params: { backup: 'b', destinationVolume: 'v', destinationDir: '/tmp/x' }, field: /destinationVolume: / },
          { what: 'a version with a path', method: 'backups.delete', params: { backup: 'b', version: '../../x' }, field: /version/ },
          { what: 'a container name with spaces', method: 'jobs.startBackup', params: { volumes: ['v'], backup: 'b', encrypt: false, stopContainers: ['a b'] }, field: /stopContainers\.0/ },
          { what: 'params that are not an object', method: 'backups.versions', params: 'b', field: /params/ },
          { what: 'params as an array', method: 'backups.versions', params: ['b'], field: /params/ },
        ];
        for (const c of cases) {
          it(c.what, async () => {
            const before = h.app.jobs.list().length;
            const err = await rejectsWith(client.call(c.method, c.params as never), 'INVALID_ARGUMENT', c.field);
            assert.ok(err.message.startsWith(`${c.method}: `), err.message);
            // The field and what is wrong with it come apart too, so the UI never reads them out of the message.
            assert.equal(err.message, `${c.method}: ${err.field}: ${err.problem}`);
            assert.equal(h.app.jobs.list().length, before, 'a job was started');
          });
        }

        it('a valid call still works afterwards', async () => {
          assert.equal((await call('app.info', {})).version, DVOM_VERSION);
        });
      });

      it('an unknown method is UNKNOWN_METHOD (raw transport and typed client)', async () => {
        const e = await rawRejectsWith(h, 'nope', {}, 'UNKNOWN_METHOD');
        assert.match(e.message, /nope/);
        for (const m of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'app', 'app.info.x', '']) await rawRejectsWith(h, m, {}, 'UNKNOWN_METHOD');
        await rejectsWith(client.call('backups.destroyAll' as ApiMethod, {} as never), 'UNKNOWN_METHOD');
      });

      it('unexpected (internal) errors carry no stack or source paths, and the app keeps answering', async () => {
        // A store folder replaced by a file makes the engine fail in a way nobody planned for.
        await fs.rm(h.backupDir, { recursive: true, force: true });
        await fs.writeFile(h.backupDir, 'not a folder');
        try {
          const err = await rejectsWith(client.call('backups.versions', { backup }), 'INTERNAL', /^unexpected error: /);
          assert.ok(!err.message.includes('\n'), `a multi-line message: ${err.message}`);
          assert.equal((await call('app.info', {})).version, DVOM_VERSION);
        } finally {
          await fs.rm(h.backupDir, { force: true });
          await fs.mkdir(h.backupDir);
        }
      });

      it('no password ever appears in an event or a result', () => {
        const text = JSON.stringify([log.all, resultsSeen]);
        assert.ok(!text.includes(PASSWORD), 'the password leaked');
        assert.ok(!text.includes(WRONG), 'the wrong password leaked');
        assert.ok(log.all.every((e) => ['job.updated', 'volumes.changed', 'backups.changed'].includes(e.event)));
      });
    });
  }

  it('leaves no DVOM helper containers or temporary volumes behind', async () => {
    const left = (await dvomLeftovers()).filter((l) => !baseline.has(l));
    assert.deepEqual(left, []);
  });
});
