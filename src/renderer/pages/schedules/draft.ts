/**
 * The schedule editor's form as plain data: what the fields hold (strings,
 * as typed), how it becomes a Schedule (checked with the shared
 * `scheduleSchema`, plus a cron syntax check), and what is wrong with it, in
 * words, by field.
 */
import { defaultRetention, retentionSchema, scheduleSchema, scheduleWhenSchema, type Retention, type Schedule, type ScheduleWhen } from '../../../shared/schedule.ts';
import { WEAK_PROBLEM } from '../../components/backup-dialog/weak-password.ts';
import { cronProblem } from './cron.ts';

export type WhenKind = ScheduleWhen['kind'];
export const RETENTION_KEYS = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type RetentionKey = (typeof RETENTION_KEYS)[number];

export interface Draft {
  name: string;
  /** Back up chosen volumes, or a Compose stack (its volumes as they are at each run). */
  what: 'volumes' | 'stack';
  volumes: string[];
  /** The Compose project, when `what` is 'stack'. */
  stack: string;
  backup: string;
  /** '' is the default store. */
  target: string;
  kind: WhenKind;
  every: string;
  unit: 'minutes' | 'hours';
  /** HH:MM, for daily and weekly. */
  at: string;
  /** 0 = Sunday … 6 = Saturday. */
  days: number[];
  expression: string;
  retention: Record<RetentionKey, string>;
  stopContainers: string[];
  enabled: boolean;
  catchUp: boolean;
  testRestoreEvery: string;
  notifyOnSuccess: boolean;
  /** Retention sees only this schedule's versions (on for new schedules). */
  ownVersionsOnly: boolean;
  /** For a backup that does not exist yet: whether the first run creates it encrypted. */
  encrypt: boolean;
  /** The new encrypted backup's password and its confirmation (sent once with the save, never kept). */
  password: string;
  confirm: string;
  /** A very weak new password was accepted anyway (typing another one takes it back). */
  weakAccepted: boolean;
}

/**
 * What the draft is checked against besides itself: whether the backup is
 * new (the first run creates it), whether a new encrypted one still needs a
 * password typed (none is remembered for it yet), and whether an existing
 * encrypted one has no password remembered (so it cannot run).
 */
export interface BackupContext {
  newBackup: boolean;
  passwordNeeded: boolean;
  lockedOut: boolean;
  /** The typed new password is very weak (strength score 0): it needs a second yes. */
  veryWeak?: boolean;
}

export const NO_BACKUP_CONTEXT: BackupContext = { newBackup: false, passwordNeeded: false, lockedOut: false };

/** Where a problem is shown: next to its field, or above the buttons. */
export type Field =
  | 'name'
  | 'volumes'
  | 'stack'
  | 'backup'
  | 'target'
  | 'encrypt'
  | 'password'
  | 'confirm'
  | 'weak'
  | 'every'
  | 'at'
  | 'days'
  | 'expression'
  | `retention.${RetentionKey}`
  | 'stopContainers'
  | 'testRestoreEvery'
  | 'form';

export type Problems = Partial<Record<Field, string>>;

/** Fields in the order they appear, to focus the first one with a problem. */
export const FIELD_ORDER: Field[] = [
  'name',
  'volumes',
  'stack',
  'target',
  'backup',
  'password',
  'confirm',
  'weak',
  'every',
  'at',
  'days',
  'expression',
  ...RETENTION_KEYS.map((k) => `retention.${k}` as const),
  'stopContainers',
  'testRestoreEvery',
  'form',
];

export function emptyDraft(): Draft {
  return {
    name: '',
    what: 'volumes',
    volumes: [],
    stack: '',
    backup: '',
    target: '',
    kind: 'daily',
    every: '1',
    unit: 'hours',
    at: '02:00',
    days: [1],
    expression: '0 3 * * *',
    retention: retentionFields(defaultRetention({ kind: 'daily', at: '02:00' })),
    stopContainers: [],
    enabled: true,
    catchUp: true,
    testRestoreEvery: '0',
    notifyOnSuccess: false,
    ownVersionsOnly: true,
    encrypt: true,
    password: '',
    confirm: '',
    weakAccepted: false,
  };
}

function retentionFields(r: Retention): Draft['retention'] {
  return Object.fromEntries(RETENTION_KEYS.map((k) => [k, r[k] === undefined ? '' : String(r[k])])) as Draft['retention'];
}

/** The draft's timing as a ScheduleWhen, or undefined while it is not valid. */
function validWhen(d: Draft): ScheduleWhen | undefined {
  const w = scheduleWhenSchema.safeParse(whenOf(d));
  return w.success ? w.data : undefined;
}

const sameFields = (a: Draft['retention'], b: Draft['retention']) => RETENTION_KEYS.every((k) => a[k].trim() === b[k]);

const DEFAULTS = (['interval-minutes', 'daily', 'weekly'] as const).map((k) =>
  retentionFields(defaultRetention(k === 'interval-minutes' ? { kind: 'interval', every: 1, unit: 'hours' } : k === 'daily' ? { kind: 'daily', at: '02:00' } : { kind: 'weekly', days: [1], at: '02:00' })),
);

/**
 * Applies an edit. While the keep rules are still one of the defaults, they
 * follow the timing's defaults (24 hourly for an hourly schedule); rules the
 * user changed stay as they are.
 */
export function changeDraft(d: Draft, patch: Partial<Draft>): Draft {
  const next = { ...d, ...patch };
  if (patch.retention) return next;
  const when = validWhen(next);
  if (!when || !DEFAULTS.some((r) => sameFields(d.retention, r))) return next;
  return { ...next, retention: retentionFields(defaultRetention(when)) };
}

/** A saved schedule in the form's terms (for Edit). */
export function draftFrom(s: Schedule): Draft {
  const d = emptyDraft();
  const w = s.when;
  const retention = Object.fromEntries(RETENTION_KEYS.map((k) => [k, s.retention[k] === undefined ? '' : String(s.retention[k])])) as Draft['retention'];
  return {
    ...d,
    name: s.name,
    what: s.stack ? 'stack' : 'volumes',
    volumes: [...s.volumes],
    stack: s.stack ?? '',
    backup: s.backup,
    target: s.target ?? '',
    kind: w.kind,
    every: w.kind === 'interval' ? String(w.every) : d.every,
    unit: w.kind === 'interval' ? w.unit : d.unit,
    at: w.kind === 'daily' || w.kind === 'weekly' ? w.at : d.at,
    days: w.kind === 'weekly' ? [...w.days] : d.days,
    expression: w.kind === 'cron' ? w.expression : d.expression,
    retention,
    stopContainers: [...s.stopContainers],
    enabled: s.enabled,
    catchUp: s.catchUp,
    testRestoreEvery: String(s.testRestoreEvery),
    notifyOnSuccess: s.notifyOnSuccess,
    ownVersionsOnly: s.ownVersionsOnly ?? false,
    encrypt: s.encrypt ?? true,
  };
}

/** A number as typed: '' is undefined, anything else that is not a whole number is NaN (the schema rejects it). */
function toNumber(text: string): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return /^-?\d+$/.test(t) ? Number(t) : Number.NaN;
}

function whenOf(d: Draft): unknown {
  switch (d.kind) {
    case 'interval':
      return { kind: 'interval', every: toNumber(d.every), unit: d.unit };
    case 'daily':
      return { kind: 'daily', at: d.at };
    case 'weekly':
      return { kind: 'weekly', days: [...new Set(d.days)].sort((a, b) => a - b), at: d.at };
    case 'cron':
      return { kind: 'cron', expression: d.expression.trim().replace(/\s+/g, ' ') };
  }
}

function retentionOf(d: Draft): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const k of RETENTION_KEYS) {
    const n = toNumber(d.retention[k]);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** The object handed to scheduleSchema: the draft with numbers parsed and text trimmed. */
function candidate(d: Draft, newBackup: boolean): Record<string, unknown> {
  const c: Record<string, unknown> = {
    name: d.name.trim(),
    // A stack schedule takes the stack's volumes and stops its containers itself at each run.
    volumes: d.what === 'stack' ? [] : d.volumes,
    backup: d.backup.trim(),
    when: whenOf(d),
    retention: retentionOf(d),
    stopContainers: d.what === 'stack' ? [] : d.stopContainers,
    enabled: d.enabled,
    catchUp: d.catchUp,
    testRestoreEvery: toNumber(d.testRestoreEvery) ?? 0,
    notifyOnSuccess: d.notifyOnSuccess,
    ownVersionsOnly: d.ownVersionsOnly,
  };
  if (d.target) c.target = d.target;
  if (d.what === 'stack') c.stack = d.stack;
  // Only a backup the first run creates takes the choice; runs on an existing one just add to it.
  if (newBackup) c.encrypt = d.encrypt;
  return c;
}

/** Which field a schema issue is about. */
function fieldOf(path: readonly PropertyKey[]): Field {
  const [head, sub] = path;
  if (head === 'when') {
    if (sub === 'every' || sub === 'at' || sub === 'days' || sub === 'expression') return sub;
    return 'form';
  }
  if (head === 'retention' && typeof sub === 'string' && (RETENTION_KEYS as readonly string[]).includes(sub)) return `retention.${sub as RetentionKey}`;
  if (head === 'name' || head === 'volumes' || head === 'stack' || head === 'backup' || head === 'target' || head === 'stopContainers' || head === 'testRestoreEvery') return head;
  return 'form';
}

/** What is wrong with a name, for people (schedule and backup names follow the same rule). */
export function nameProblem(name: string, what: 'schedule' | 'backup', max: number): string | null {
  if (!name) return `Enter a name for the ${what}.`;
  if (name.length > max) return `The name is ${name.length} characters long; ${max} at most.`;
  if (!/^[A-Za-z0-9]/.test(name)) return 'Start the name with a letter or a digit.';
  const bad = [...new Set(name.match(/[^A-Za-z0-9._-]/g) ?? [])];
  if (bad.length) return `Use only letters, digits, “.”, “_” and “-” (not ${bad.map((c) => (c === ' ' ? 'spaces' : `“${c}”`)).join(', ')}).`;
  return null;
}

function numberProblem(text: string, min: number, max: number, empty: string | null): string | null {
  const n = toNumber(text);
  if (n === undefined) return empty;
  if (Number.isNaN(n)) return 'Enter a whole number.';
  if (n < min) return `At least ${min}.`;
  if (n > max) return `At most ${max.toLocaleString('en')}.`;
  return null;
}

/** The schema's own words as a sentence. */
function sentence(message: string): string {
  const t = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Problems in words for the fields this module knows best; the schema has the last word on the rest. */
function friendly(field: Field, d: Draft, fallback: string): string {
  switch (field) {
    case 'name':
      return nameProblem(d.name.trim(), 'schedule', 64) ?? fallback;
    case 'backup':
      return nameProblem(d.backup.trim(), 'backup', 128) ?? fallback;
    case 'volumes':
      return d.volumes.length === 0 ? 'Choose at least one volume to back up.' : fallback;
    case 'stack':
      return d.stack ? fallback : 'Choose a stack to back up.';
    case 'every':
      return numberProblem(d.every, 1, 10_000, d.unit === 'hours' ? 'Enter how many hours apart the runs are.' : 'Enter how many minutes apart the runs are.') ?? fallback;
    case 'at':
      return d.at ? 'Enter a time of day as HH:MM (24-hour).' : 'Enter the time of day it runs.';
    case 'days':
      return d.days.length === 0 ? 'Choose at least one day.' : fallback;
    case 'expression':
      return d.expression.trim() ? (cronProblem(d.expression) ?? fallback) : 'Enter a cron expression.';
    case 'testRestoreEvery':
      return numberProblem(d.testRestoreEvery, 0, 10_000, null) ?? fallback;
    default:
      if (field.startsWith('retention.')) return numberProblem(d.retention[field.slice(10) as RetentionKey], 0, 100_000, null) ?? fallback;
      return fallback;
  }
}

export interface Checked {
  /** The schedule to save, when there is no problem. */
  schedule: Schedule | null;
  problems: Problems;
}

/**
 * Checks the whole form: the shared schema, the cron syntax, and that a new
 * name is not taken (`taken`: the other schedules' names).
 */
export function checkDraft(d: Draft, taken: readonly string[], backup: BackupContext = NO_BACKUP_CONTEXT): Checked {
  const problems: Problems = {};
  const parsed = scheduleSchema.safeParse(candidate(d, backup.newBackup));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      problems[field] ??= friendly(field, d, sentence(issue.message));
    }
  }
  // Without a stack chosen the schema also misses volumes; the stack field says what to do.
  if (d.what === 'stack') delete problems.volumes;
  if (d.kind === 'cron' && !problems.expression) {
    const cron = cronProblem(d.expression);
    if (cron) problems.expression = cron;
  }
  if (!problems.name && taken.includes(d.name.trim())) problems.name = `A schedule named “${d.name.trim()}” already exists: choose another name.`;
  if (backup.newBackup && d.encrypt && (backup.passwordNeeded || d.password)) {
    if (!d.password) problems.password = 'Enter a password for the new backup.';
    else if (d.confirm !== d.password) problems.confirm = d.confirm ? 'The passwords do not match.' : 'Type the password once more.';
    if (d.password && backup.veryWeak && !d.weakAccepted) problems.weak = WEAK_PROBLEM;
  }
  if (backup.lockedOut && d.enabled) {
    problems.password = 'Runs could not open it, so an enabled schedule cannot be saved: remember the password, or turn off Enabled to save it disabled.';
  }
  return { schedule: parsed.success && Object.keys(problems).length === 0 ? parsed.data : null, problems };
}

export interface PreviewInput {
  /** null when the timing fields have a problem (said in `whenProblem`). */
  when: ScheduleWhen | null;
  whenProblem: string | null;
  /** Only when valid and with at least one rule above 0. */
  retention: Retention | undefined;
}

/** What the preview can be asked about right now: the timing and retention parts, each only when valid. */
export function previewInput(d: Draft): PreviewInput {
  let when: ScheduleWhen | null = null;
  let whenProblem: string | null = null;
  const parsed = scheduleWhenSchema.safeParse(whenOf(d));
  if (parsed.success) {
    const cron = parsed.data.kind === 'cron' ? cronProblem(parsed.data.expression) : null;
    if (cron) whenProblem = cron;
    else when = parsed.data;
  } else {
    const field = fieldOf(['when', ...parsed.error.issues[0]!.path]);
    whenProblem = friendly(field, d, sentence(parsed.error.issues[0]!.message));
  }
  const r = retentionSchema.safeParse(retentionOf(d));
  // Only a rule above 0 removes anything (the engine keeps every version otherwise).
  const retention = r.success && Object.values(r.data).some((v) => v !== undefined && v > 0) ? r.data : undefined;
  return { when, whenProblem, retention };
}
