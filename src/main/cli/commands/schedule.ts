import { formatDate, formatTable } from '../../../shared/format.ts';
import { scheduleSchema, type Retention, type Schedule, type ScheduleRun, type ScheduleStatus, type ScheduleWhen } from '../../../shared/schedule.ts';
import { openStore } from '../../config/open-store.ts';
import { DvomError, RETENTION_RULES, usageError, type StorageBackend } from '../../engine/index.ts';
import { existingRepoConfig } from '../../services/open-backup.ts';
import { prepareScheduleBackup, saveWithBackupCheck } from '../../services/schedule-backup.ts';
import { passwordMissing, requireBackup } from '../../services/unattended.ts';
import { describeWhen } from '../../scheduler/describe.ts';
import { validateWhen } from '../../scheduler/next-run.ts';
import { describeScheduledBackup, runScheduledBackup } from '../../services/scheduled-backup.ts';
import { RunStateFile, emptyRunState } from '../../scheduler/run-state.ts';
import { findSchedule, removeSchedule, requireTarget, saveSchedule, setScheduleEnabled } from '../../scheduler/schedule-config.ts';
import { recordRun, shownNextRun, testRestoreDue } from '../../scheduler/schedule-entry.ts';
import { COMMON_OPTIONS, CREDENTIAL_OPTIONS, str, type Command, type CommandContext, type OptionSpec } from '../command.ts';
import { getCredential, type CredentialFlags } from '../credentials.ts';
import { dockerFor, listOption } from '../docker-session.ts';
import { openBackup, openOrCreate } from '../open-backup.ts';
import { logTo } from '../output.ts';
import { progressBar } from '../progress-bar.ts';

const KEEP_OPTIONS: OptionSpec = Object.fromEntries(RETENTION_RULES.map((r) => [`keep-${r}`, { type: 'string' as const }]));

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** A day as 0-7 (7 is Sunday too) or a name of at least three letters. */
function weekday(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^[0-7]$/.test(t)) return Number(t) % 7;
  const i = t.length >= 3 ? DAYS.findIndex((d) => d.startsWith(t)) : -1;
  if (i < 0) throw usageError(`--weekly: '${text}' is not a day (sun, mon, tue, wed, thu, fri, sat)`);
  return i;
}

function timeOfDay(text: string, option: string): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw usageError(`${option}: '${text}' is not a time of day HH:MM (24-hour)`);
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

function weekdays(text: string): number[] {
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to, extra] = part.split('-');
    if (extra !== undefined || !from) throw usageError(`--weekly: '${part}' is not a day or a range of days (mon-fri)`);
    const a = weekday(from);
    const b = to === undefined ? a : weekday(to);
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** The one of --every, --daily, --weekly, --cron given. */
function whenFromOptions(ctx: CommandContext): ScheduleWhen {
  const given = (['every', 'daily', 'weekly', 'cron'] as const).filter((o) => str(ctx.values, o) !== undefined);
  if (given.length !== 1) {
    throw usageError(`say when, with exactly one of --every=15m|2h, --daily=HH:MM, --weekly=mon,thu@HH:MM or --cron='m h dom mon dow'${given.length ? ` (got --${given.join(', --')})` : ''}`);
  }
  const value = str(ctx.values, given[0]!)!;
  switch (given[0]!) {
    case 'every': {
      const m = /^(\d+)\s*(m|min|mins|minutes?|h|hr|hrs|hours?)$/i.exec(value.trim());
      if (!m || Number(m[1]) < 1) throw usageError(`--every: '${value}' is not an interval such as 15m or 2h`);
      return { kind: 'interval', every: Number(m[1]), unit: m[2]!.toLowerCase().startsWith('h') ? 'hours' : 'minutes' };
    }
    case 'daily':
      return { kind: 'daily', at: timeOfDay(value, '--daily') };
    case 'weekly': {
      const [days, at, extra] = value.split('@');
      if (!days || at === undefined || extra !== undefined) throw usageError(`--weekly: '${value}' is not DAYS@HH:MM (e.g. mon,thu@02:30)`);
      return { kind: 'weekly', days: weekdays(days), at: timeOfDay(at, '--weekly') };
    }
    case 'cron':
      return { kind: 'cron', expression: value.trim() };
  }
}

function wholeNumber(ctx: CommandContext, option: string): number | undefined {
  const raw = str(ctx.values, option);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw usageError(`--${option} must be a whole number, got '${raw}'`);
  return Number(raw);
}

/** --encrypt / --no-encrypt: the first run creates the backup, encrypted or not; neither: runs add to an existing backup. */
function encryptionFromOptions(ctx: CommandContext): { encrypt?: boolean } {
  const on = ctx.values.encrypt === true;
  const off = ctx.values['no-encrypt'] === true;
  if (on && off) throw usageError('give one of --encrypt and --no-encrypt');
  return on || off ? { encrypt: on } : {};
}

/** The password of the new encrypted backup a schedule's first run creates: flags, DVOM_PASSWORD, else asked twice. */
async function newBackupPassword(ctx: CommandContext, store: StorageBackend, schedule: Schedule): Promise<string | undefined> {
  if (!schedule.encrypt || (await existingRepoConfig(store, schedule.backup))) return undefined;
  const found = await getCredential(ctx.values as CredentialFlags, ctx.output, { backup: schedule.backup, store, confirm: true });
  if (found.credential.kind !== 'password') {
    throw usageError('a schedule that creates an encrypted backup needs a password (kept in the keychain for its runs), not a raw key');
  }
  return found.credential.password;
}

function scheduleFromOptions(ctx: CommandContext, name: string): Schedule {
  const volumes = listOption(ctx.values.volume);
  const stack = str(ctx.values, 'stack');
  if (stack !== undefined && volumes.length) throw usageError('use either --volume or --stack, not both');
  if (!volumes.length && stack === undefined) throw usageError('--volume=NAME is required (repeat it for several volumes), or --stack=NAME for a Compose stack');
  const backup = str(ctx.values, 'backup');
  if (!backup) throw usageError('--backup=NAME is required (the backup the schedule adds versions to)');
  const retention: Retention = {};
  for (const rule of RETENTION_RULES) {
    const n = wholeNumber(ctx, `keep-${rule}`);
    if (n !== undefined) retention[rule] = n;
  }
  const parsed = scheduleSchema.safeParse({
    name,
    volumes,
    ...(stack !== undefined ? { stack } : {}),
    backup,
    ...(str(ctx.values, 'target') ? { target: str(ctx.values, 'target') } : {}),
    when: whenFromOptions(ctx),
    retention,
    // New schedules thin out only their own versions; --all-versions applies the rules to every version (as before).
    ownVersionsOnly: ctx.values['all-versions'] !== true,
    stopContainers: listOption(ctx.values['stop-containers']),
    enabled: ctx.values.disabled !== true,
    catchUp: ctx.values['no-catch-up'] !== true,
    testRestoreEvery: wholeNumber(ctx, 'test-restore-every') ?? 0,
    ...encryptionFromOptions(ctx),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw usageError(`${issue.path.join('.') || 'schedule'}: ${issue.message}`);
  }
  validateWhen(parsed.data.when);
  return parsed.data;
}

/** A schedule's store: its target, else the one chosen on the command line (else the default). */
async function storeOf(ctx: CommandContext, schedule: Schedule): Promise<StorageBackend> {
  return schedule.target ? openStore({ target: schedule.target }, ctx.config, ctx.secrets) : ctx.store();
}

async function add(ctx: CommandContext, name: string): Promise<void> {
  const schedule = scheduleFromOptions(ctx, name);
  requireTarget(ctx.config, schedule);
  const store = await storeOf(ctx, schedule);
  const password = await newBackupPassword(ctx, store, schedule);
  await saveWithBackupCheck(store, ctx.secrets, schedule, { password }, () => saveSchedule(schedule, { mustBeNew: true }, new RunStateFile()));
  if (password) ctx.output.info(`Password of the new backup '${schedule.backup}' remembered in the ${ctx.secrets.name}; the first run creates it encrypted`);
  else if (schedule.encrypt === false) ctx.output.info(`The first run creates backup '${schedule.backup}' (not encrypted) unless it exists by then`);
  const first = shownNextRun(schedule, emptyRunState(), ctx.config.schedulesPaused, new Date());
  ctx.output.out(
    `Added schedule '${name}': ${describeWhen(schedule.when)}` +
      (schedule.enabled ? (first ? `; first run ${formatDate(first)}` : '; all schedules are paused') : ' (disabled)'),
  );
  try {
    if (schedule.encrypt === undefined) await requireBackup(store, schedule.backup);
    if (await passwordMissing(store, ctx.secrets, schedule.backup, schedule.encrypt)) {
      ctx.output.warn(`backup '${schedule.backup}' is encrypted and its password is not in the ${ctx.secrets.name}: runs will fail until you remember it (dvom verify ${schedule.backup} --remember-password)`);
    }
  } catch (err) {
    ctx.output.warn((err as Error).message);
  }
  ctx.output.info('Schedules run while the DVOM app or `dvom serve` is running; or call `dvom schedule run NAME` from cron.');
}

function lastResult(run: ScheduleRun | null): string {
  return run ? `${run.outcome} ${formatDate(run.at)}` : '-';
}

async function list(ctx: CommandContext): Promise<void> {
  const doc = await new RunStateFile().read();
  const now = new Date();
  const statuses: ScheduleStatus[] = [];
  for (const s of ctx.config.schedules) {
    const missing = await storeOf(ctx, s).then((store) => passwordMissing(store, ctx.secrets, s.backup, s.encrypt), () => false);
    statuses.push({
      ...s,
      nextRun: shownNextRun(s, doc, ctx.config.schedulesPaused, now),
      lastRun: doc.schedules[s.name]?.lastRun ?? null,
      // Only the host process knows what runs there right now.
      running: false,
      passwordMissing: missing,
    });
  }
  if (ctx.values.json === true) {
    ctx.output.out(JSON.stringify({ paused: ctx.config.schedulesPaused, schedules: statuses }, null, 2));
    return;
  }
  if (!statuses.length) {
    ctx.output.out('No schedules (add one with: dvom schedule add NAME --volume=V --backup=B --daily=02:30)');
    return;
  }
  if (ctx.config.schedulesPaused) ctx.output.out('All schedules are paused.');
  const rows = statuses.map((s) => [s.name, describeWhen(s.when), s.nextRun ? formatDate(s.nextRun) : '-', lastResult(s.lastRun), s.enabled ? 'yes' : 'no']);
  ctx.output.out(formatTable(['NAME', 'WHEN', 'NEXT RUN', 'LAST RESULT', 'ENABLED'], rows));
  for (const s of statuses) {
    if (s.passwordMissing) ctx.output.warn(`schedule '${s.name}': backup '${s.backup}' is encrypted and its password is not in the ${ctx.secrets.name}; its runs fail`);
    if (s.lastRun && s.lastRun.outcome !== 'succeeded') ctx.output.info(`${s.name}: ${s.lastRun.message}`);
  }
}

/** Runs a schedule in this process, like `dvom backup` followed by its retention policy; the run is recorded like a scheduled one. */
async function run(ctx: CommandContext, name: string): Promise<void> {
  const schedule = findSchedule(ctx.config, name);
  const state = new RunStateFile(undefined, ctx.output.warn);
  const at = new Date().toISOString();
  const record = (r: Omit<ScheduleRun, 'at'>) => state.update((doc) => recordRun(doc, schedule, { at, ...r }, new Date()));
  const bar = progressBar(ctx.output.interactive, `schedule ${name}`);
  let result;
  try {
    const store = await storeOf(ctx, schedule);
    const storeCtx = { ...ctx, store: () => store };
    // A schedule that starts its backup creates it on its first run (as dvom backup would); else the backup must exist.
    let repo;
    if (schedule.encrypt === undefined) {
      await requireBackup(store, schedule.backup);
      repo = await openBackup(storeCtx, schedule.backup);
    } else {
      repo = (await openOrCreate(storeCtx, schedule.backup, schedule.encrypt, { fromKeychain: true })).repo;
    }
    const docker = await dockerFor(ctx);
    const testRestore = testRestoreDue(schedule, (await state.read()).schedules[name]);
    result = await runScheduledBackup(repo, docker, schedule, {
      testRestore,
      signal: ctx.signal,
      log: logTo(ctx.output),
      ...(bar.listener ? { onProgress: bar.listener } : {}),
    });
  } catch (err) {
    bar.done();
    const code = err instanceof DvomError ? err.code : 'ERROR';
    await record({ outcome: code === 'LOCKED' || code === 'CANCELLED' ? 'skipped' : 'failed', message: (err as Error).message }).catch(() => undefined);
    throw err;
  }
  bar.done();
  await record({ outcome: 'succeeded', message: describeScheduledBackup(result) });
  ctx.output.info(`Schedule '${name}': ${describeScheduledBackup(result)}`);
  ctx.output.out(result.version.id);
}

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'scheduled backups: add, list, remove, enable, disable, run',
  usage:
    'dvom schedule add NAME (--volume=V [--volume=W] | --stack=S) --backup=B [--target=T] [--encrypt | --no-encrypt]\n' +
    "                       (--every=15m|2h | --daily=HH:MM | --weekly=mon,thu@HH:MM | --cron='m h dom mon dow')\n" +
    '                       [--keep-last=N] [--keep-hourly=N] [--keep-daily=N] [--keep-weekly=N] [--keep-monthly=N] [--keep-yearly=N]\n' +
    '                       [--all-versions] [--stop-containers=a,b] [--test-restore-every=N] [--no-catch-up] [--disabled]\n' +
    '       dvom schedule list [--json]\n' +
    '       dvom schedule remove|enable|disable NAME\n' +
    '       dvom schedule run NAME     (now, in this process: backup, retention, test restore when due)\n' +
    '\n' +
    'Schedules run while the DVOM app or `dvom serve` runs (local time; a run missed while neither\n' +
    'ran, or the computer slept, is caught up once unless --no-catch-up). On a server, a plain cron\n' +
    'job works too:  30 2 * * *  DVOM_PASSWORD=… dvom schedule run NAME --quiet\n' +
    'Encrypted backups: scheduled runs take the password from the keychain (remember it first).\n' +
    'A schedule can start its backup: with --encrypt (password from DVOM_PASSWORD or asked twice, kept in\n' +
    'the keychain) or --no-encrypt, its first run creates the backup. Without either, runs add to an\n' +
    'existing backup. An enabled schedule whose encrypted backup has no remembered password is refused.\n' +
    'The --keep-* rules apply only to the versions the schedule made (versions made by hand, by `dvom backup`\n' +
    'or by another schedule stay); --all-versions applies them to every version of the backup.\n' +
    'Example:  DVOM_PASSWORD=… dvom schedule add nightly --volume=pgdata --backup=pgdata --encrypt --daily=02:30',
  options: {
    ...COMMON_OPTIONS,
    ...CREDENTIAL_OPTIONS,
    ...KEEP_OPTIONS,
    volume: { type: 'string', multiple: true },
    stack: { type: 'string' },
    backup: { type: 'string' },
    every: { type: 'string' },
    daily: { type: 'string' },
    weekly: { type: 'string' },
    cron: { type: 'string' },
    'stop-containers': { type: 'string', multiple: true },
    'test-restore-every': { type: 'string' },
    'no-catch-up': { type: 'boolean' },
    'all-versions': { type: 'boolean' },
    disabled: { type: 'boolean' },
    encrypt: { type: 'boolean' },
    'no-encrypt': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: [1, 2],
  async run(ctx) {
    const [action, name] = ctx.positionals as [string, string | undefined];
    if (action === 'list') {
      if (name) throw usageError('dvom schedule list takes no name');
      return list(ctx);
    }
    if (!['add', 'remove', 'enable', 'disable', 'run'].includes(action)) {
      throw usageError(`unknown schedule action '${action}' (add, list, remove, enable, disable or run)`);
    }
    if (!name) throw usageError(`dvom schedule ${action} NAME: the schedule's name`);
    switch (action) {
      case 'add':
        return add(ctx, name);
      case 'remove':
        await removeSchedule(name, new RunStateFile());
        ctx.output.out(`Removed schedule '${name}' (its backup was not touched)`);
        return;
      case 'enable':
      case 'disable': {
        if (action === 'enable') {
          const schedule = findSchedule(ctx.config, name);
          await prepareScheduleBackup(await storeOf(ctx, schedule), ctx.secrets, { ...schedule, enabled: true });
        }
        const s = await setScheduleEnabled(name, action === 'enable');
        ctx.output.out(`Schedule '${name}' ${s.enabled ? 'enabled' : 'disabled'}`);
        return;
      }
      case 'run':
        return run(ctx, name);
    }
  },
};
