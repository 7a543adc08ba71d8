/**
 * `dvom schedule` as a child process: add (every form of "when"), list
 * (table and --json), enable, disable, remove, usage errors; and `run` with a
 * real Docker engine: a backup plus its retention, recorded like a scheduled
 * run, exit codes like `dvom backup` (missing backup, missing password).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScheduleStatus } from '../../src/shared/schedule.ts';
import { acquireDockerLock, DockerScope, dockerSkipReason, ensureEmptyImage } from '../api/docker-helpers.ts';
import { keychainSkipReason, makeCliUser, type CliUser } from '../config/dvom-cli.ts';

const user: CliUser = makeCliUser('schedule');
const store = path.join(user.home, 'store');
const env = { DVOM_BACKUP_DIR: store };
after(() => user.remove());

const listJson = async (): Promise<{ paused: boolean; schedules: ScheduleStatus[] }> =>
  JSON.parse((await user.ok(['schedule', 'list', '--json'], { env })).stdout) as { paused: boolean; schedules: ScheduleStatus[] };

describe('dvom schedule add, list, enable, disable, remove', () => {
  it('adds schedules of every kind and lists them', async () => {
    const added = await user.ok(['schedule', 'add', 'nightly', '--volume=pg', '--volume=files', '--backup=db', '--daily=2:30', '--keep-last=7', '--keep-daily=14'], { env });
    assert.match(added.stdout, /^Added schedule 'nightly': daily at 02:30; first run \d{4}-\d\d-\d\d 02:30:00\n$/);
    assert.match(added.stderr, /backup 'db' does not exist in .*make its first backup/);
    await user.ok(['schedule', 'add', 'weekdays', '--volume=pg', '--backup=db', '--weekly=mon-fri@07:00', '--no-catch-up', '--stop-containers=app,worker'], { env });
    await user.ok(['schedule', 'add', 'often', '--volume=pg', '--backup=db', '--every=15m', '--test-restore-every=4', '--disabled'], { env });
    await user.ok(['schedule', 'add', 'cron', '--volume=pg', '--backup=db', "--cron=0 3 1,15 * *"], { env });
    const { schedules, paused } = await listJson();
    assert.equal(paused, false);
    assert.deepEqual(schedules.map((s) => s.name), ['nightly', 'weekdays', 'often', 'cron']);
    const [nightly, weekdays, often, cron] = schedules as [ScheduleStatus, ScheduleStatus, ScheduleStatus, ScheduleStatus];
    assert.deepEqual(nightly.volumes, ['pg', 'files']);
    assert.deepEqual(nightly.retention, { last: 7, daily: 14 });
    assert.deepEqual(weekdays.when, { kind: 'weekly', days: [1, 2, 3, 4, 5], at: '07:00' });
    assert.equal(weekdays.catchUp, false);
    assert.deepEqual(weekdays.stopContainers, ['app', 'worker']);
    assert.deepEqual(often.when, { kind: 'interval', every: 15, unit: 'minutes' });
    assert.equal(often.enabled, false);
    assert.equal(often.nextRun, null);
    assert.equal(often.testRestoreEvery, 4);
    assert.deepEqual(cron.when, { kind: 'cron', expression: '0 3 1,15 * *' });
    assert.ok(cron.nextRun && /T\d\d:00:00\.000Z$/.test(cron.nextRun));

    const table = (await user.ok(['schedule', 'list'], { env })).stdout;
    assert.match(table, /^NAME\s+WHEN\s+NEXT RUN\s+LAST RESULT\s+ENABLED\n/);
    assert.match(table, /\nweekdays\s+weekly on Mon, Tue, Wed, Thu, Fri at 07:00\s+\d{4}-\S+ 07:00:00\s+-\s+yes\n/);
    assert.match(table, /\noften\s+every 15 minutes\s+-\s+-\s+no\n/);
  });

  it('enable, disable and remove; unknown names exit 4', async () => {
    assert.equal((await user.ok(['schedule', 'enable', 'often'], { env })).stdout, "Schedule 'often' enabled\n");
    assert.ok((await listJson()).schedules.find((s) => s.name === 'often')!.nextRun);
    assert.equal((await user.ok(['schedule', 'disable', 'nightly'], { env })).stdout, "Schedule 'nightly' disabled\n");
    assert.equal((await user.ok(['schedule', 'remove', 'cron'], { env })).stdout, "Removed schedule 'cron' (its backup was not touched)\n");
    assert.deepEqual((await listJson()).schedules.map((s) => [s.name, s.enabled]), [['nightly', false], ['weekdays', true], ['often', true]]);
    for (const action of ['enable', 'disable', 'remove', 'run']) {
      const r = await user.ok(['schedule', action, 'nope'], { env }, 4);
      assert.match(r.stderr, /no schedule named 'nope'/);
    }
  });

  it('usage errors exit 2 and say what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db'], /exactly one of --every=15m\|2h, --daily=HH:MM/],
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db', '--daily=02:00', '--every=2h'], /exactly one .*\(got --every, --daily\)/],
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db', '--every=2d'], /--every: '2d' is not an interval such as 15m or 2h/],
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db', '--daily=24:00'], /--daily: '24:00' is not a time of day/],
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db', '--weekly=funday@02:00'], /--weekly: 'funday' is not a day/],
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db', '--weekly=mon'], /--weekly: 'mon' is not DAYS@HH:MM/],
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db', '--cron=0 0 31 2 *'], /day-of-month field '31' never falls in the months/],
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db', '--cron=61 * * * *'], /minute field '61'/],
      [['schedule', 'add', 'x', '--backup=db', '--daily=02:00'], /--volume=NAME is required/],
      [['schedule', 'add', 'x', '--volume=pg', '--daily=02:00'], /--backup=NAME is required/],
      [['schedule', 'add', 'x', '--volume=pg', '--backup=db', '--daily=02:00', '--keep-last=two'], /--keep-last must be a whole number/],
      [['schedule', 'add', 'bad/name', '--volume=pg', '--backup=db', '--daily=02:00'], /name: a schedule name/],
      [['schedule', 'frobnicate'], /unknown schedule action 'frobnicate'/],
      [['schedule', 'run'], /dvom schedule run NAME/],
    ];
    for (const [args, message] of cases) {
      const r = await user.ok(args, { env }, 2);
      assert.match(r.stderr, message, args.join(' '));
    }
    const dup = await user.ok(['schedule', 'add', 'often', '--volume=pg', '--backup=db', '--daily=02:00'], { env }, 1);
    assert.match(dup.stderr, /a schedule named 'often' already exists/);
    assert.match((await user.ok(['schedule', '--help'], { env })).stdout, /a plain cron\njob works too: {2}30 2 \* \* \* {2}DVOM_PASSWORD=… dvom schedule run NAME --quiet/);
  });
});

const skip = await dockerSkipReason();

describe('dvom schedule run', { skip }, () => {
  let release: (() => Promise<void>) | undefined;
  let scope: DockerScope;
  let volume: string;
  const password = { DVOM_BACKUP_DIR: store, DVOM_PASSWORD: 'cli schedule password' };

  before(async () => {
    release = await acquireDockerLock();
    await ensureEmptyImage();
    scope = new DockerScope();
    volume = await scope.volume('data');
    const dir = await fs.mkdtemp(path.join(user.home, 'fill-'));
    await fs.writeFile(path.join(dir, 'hello.txt'), 'hello from dvom schedule run\n');
    await scope.fill(volume, dir);
  });

  after(async () => {
    try {
      await scope?.cleanup();
    } finally {
      await release?.();
    }
  });

  it('runs the backup and its retention now, and records the run', { timeout: 180_000 }, async () => {
    await user.ok(['schedule', 'add', 'now', `--volume=${volume}`, '--backup=runs', '--every=1h', '--keep-last=1', '--test-restore-every=2'], { env });
    // No backup yet: exit 4, with what to do, recorded as a failed run.
    const missing = await user.ok(['schedule', 'run', 'now'], { env }, 4);
    assert.match(missing.stderr, /backup 'runs' does not exist in .*dvom backup --volume=… --name=runs/);
    const failed = (await listJson()).schedules.find((s) => s.name === 'now')!;
    assert.equal(failed.lastRun?.outcome, 'failed');
    assert.match((await user.ok(['schedule', 'list'], { env })).stderr, /now: backup 'runs' does not exist/);

    await user.ok(['backup', `--volume=${volume}`, '--name=runs', '--encrypt'], { env: password });
    // Encrypted, no password from anywhere (no TTY, no keychain): the same error and exit code as dvom backup.
    const noPassword = await user.ok(['schedule', 'run', 'now'], { env }, 2);
    assert.match(noPassword.stderr, /backup 'runs' needs a password: set DVOM_PASSWORD/);
    assert.equal((await listJson()).schedules.find((s) => s.name === 'now')!.lastRun?.outcome, 'failed');

    const first = await user.ok(['schedule', 'run', 'now'], { env: password });
    const second = await user.ok(['schedule', 'run', 'now'], { env: password });
    const [id1, id2] = [first.stdout.trim(), second.stdout.trim()];
    assert.match(id1, /^\S+$/);
    // Its rules see only its own versions: the one `dvom backup` made stays.
    assert.match(first.stderr, /Schedule 'now': Version of [\d-]+ [\d:]+: 1 files, .*retention kept all 1/);
    assert.match(second.stderr, /retention kept 1, removed 1 .*; test restore passed/);
    const info = JSON.parse((await user.ok(['info', 'runs', '--json'], { env })).stdout) as { versions: number; latestVersion: string };
    assert.equal(info.versions, 2);
    assert.equal(info.latestVersion, id2);
    assert.notEqual(id1, id2);
    const now = (await listJson()).schedules.find((s) => s.name === 'now')!;
    assert.equal(now.lastRun?.outcome, 'succeeded');
    assert.match(now.lastRun!.message, /test restore passed/);
  });
});

describe('dvom schedule add --encrypt: a schedule that starts its backup', { skip: skip ?? keychainSkipReason() }, () => {
  let release: (() => Promise<void>) | undefined;
  let scope: DockerScope;
  let volume: string;
  const starter = makeCliUser('schedule-starts');
  const own = { DVOM_BACKUP_DIR: path.join(starter.home, 'store') };
  const PASSWORD = 'schedule starts this backup';

  before(async () => {
    release = await acquireDockerLock();
    await ensureEmptyImage();
    scope = new DockerScope();
    volume = await scope.volume('fresh');
    const dir = await fs.mkdtemp(path.join(starter.home, 'fill-'));
    await fs.writeFile(path.join(dir, 'new.txt'), 'never backed up before\n');
    await scope.fill(volume, dir);
  });

  after(async () => {
    try {
      await scope?.cleanup();
    } finally {
      await release?.();
      starter.remove();
    }
  });

  it('takes DVOM_PASSWORD into the keychain; the first run creates the backup encrypted with it', { timeout: 180_000 }, async () => {
    // No password from anywhere (no TTY, no DVOM_PASSWORD): refused, nothing saved.
    const none = await starter.ok(['schedule', 'add', 'fresh', `--volume=${volume}`, '--backup=fresh', '--encrypt', '--daily=02:30'], { env: own, keychain: true }, 2);
    assert.match(none.stderr, /backup 'fresh' needs a password: set DVOM_PASSWORD/);
    const both = await starter.ok(['schedule', 'add', 'x', `--volume=${volume}`, '--backup=x', '--encrypt', '--no-encrypt', '--daily=02:30'], { env: own }, 2);
    assert.match(both.stderr, /give one of --encrypt and --no-encrypt/);

    const added = await starter.ok(['schedule', 'add', 'fresh', `--volume=${volume}`, '--backup=fresh', '--encrypt', '--daily=02:30'], {
      env: { ...own, DVOM_PASSWORD: PASSWORD },
      keychain: true,
    });
    assert.match(added.stderr, /Password of the new backup 'fresh' remembered in the Secret Service keyring; the first run creates it encrypted/);
    const listed = JSON.parse((await starter.ok(['schedule', 'list', '--json'], { env: own, keychain: true })).stdout) as { schedules: ScheduleStatus[] };
    const fresh = listed.schedules.find((s) => s.name === 'fresh')!;
    assert.equal(fresh.encrypt, true);
    assert.equal(fresh.passwordMissing, false);
    assert.doesNotMatch(await fs.readFile(starter.configFile, 'utf8'), new RegExp(PASSWORD), 'the password is never in the config');

    // The run has only the keychain: it creates the backup, encrypted with the password given at add time.
    const run = await starter.ok(['schedule', 'run', 'fresh'], { env: own, keychain: true });
    assert.match(run.stderr, /Schedule 'fresh': Version of [\d-]+ [\d:]+: 1 files/);
    const info = JSON.parse((await starter.ok(['info', 'fresh', '--json'], { env: own })).stdout) as { encrypted: boolean; versions: number };
    assert.equal(info.encrypted, true);
    assert.equal(info.versions, 1);
    const wrong = await starter.ok(['ls', 'fresh'], { env: { ...own, DVOM_PASSWORD: 'not it' } }, 3);
    assert.match(wrong.stderr, /password/i);
    const files = await starter.ok(['ls', 'fresh'], { env: { ...own, DVOM_PASSWORD: PASSWORD } });
    assert.match(files.stdout, /new\.txt/);

    // Now an existing encrypted backup whose password this user's keychain does not hold: an enabled schedule is refused, a disabled one saved.
    const other = makeCliUser('schedule-refuses');
    try {
      const otherEnv = { DVOM_BACKUP_DIR: own.DVOM_BACKUP_DIR };
      const refused = await other.ok(['schedule', 'add', 'late', `--volume=${volume}`, '--backup=fresh', '--daily=03:00'], { env: otherEnv }, 3);
      assert.match(refused.stderr, /backup 'fresh' is encrypted and its password is not remembered .*or save the schedule disabled/);
      await other.ok(['schedule', 'add', 'late', `--volume=${volume}`, '--backup=fresh', '--daily=03:00', '--disabled'], { env: otherEnv });
      const enable = await other.ok(['schedule', 'enable', 'late'], { env: otherEnv }, 3);
      assert.match(enable.stderr, /password is not remembered/);
    } finally {
      other.remove();
    }
  });
});
