import { z } from 'zod';

/**
 * Scheduled backups, shared by the config file (main), the API contract and
 * the renderer: one schema, validated wherever a schedule comes in.
 */
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (24-hour)');

export const scheduleWhenSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('interval'), every: z.number().int().min(1).max(10_000), unit: z.enum(['minutes', 'hours']) }).strict(),
  z.object({ kind: z.literal('daily'), at: hhmm }).strict(),
  z
    .object({
      kind: z.literal('weekly'),
      /** 0 = Sunday … 6 = Saturday. */
      days: z.array(z.number().int().min(0).max(6)).min(1, 'choose at least one day').max(7),
      at: hhmm,
    })
    .strict(),
  /** Standard five-field cron (minute hour day-of-month month day-of-week), in local time. */
  z.object({ kind: z.literal('cron'), expression: z.string().min(9).max(200) }).strict(),
]);

const keep = z.number().int().min(0).max(100_000).optional();

export const retentionSchema = z
  .object({ last: keep, hourly: keep, daily: keep, weekly: keep, monthly: keep, yearly: keep })
  .strict();

/** Names as validated wherever they come in (also by the API contract). */
export const backupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a backup name: 1-128 letters, digits, ".", "_" or "-"');
export const volumeName = z.string().max(255).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a Docker volume name');
export const containerName = z.string().max(255).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a container name');
/** A Docker Compose project name (a stack). */
export const stackName = z.string().max(255).regex(/^[a-z0-9][a-z0-9_-]*$/, 'a Compose project name: lower-case letters, digits, "_" or "-"');

/** Refinements run on a value that is at least an object, whatever else is wrong with it. */
const isObject = (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null;

export const scheduleSchema = z
  .object({
    /** Unique; also how the CLI names it (dvom schedule run NAME). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a schedule name: letters, digits, ".", "_" or "-"'),
    /** With `stack`: empty (the stack's volumes are taken at each run). */
    volumes: z.array(volumeName).max(64),
    /** A Compose stack: each run backs up all its volumes as one version, its running containers stopped in dependency order. */
    stack: stackName.optional(),
    backup: backupName,
    /** Storage target name; the default store when omitted. */
    target: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).optional(),
    /**
     * Whether the first run creates the backup, and encrypted or not (its
     * password is in the keychain). Absent: runs only add to an existing
     * backup (schedules made before runs could start one).
     */
    encrypt: z.boolean().optional(),
    when: scheduleWhenSchema,
    /** Applied (forget + prune) after each scheduled backup; nothing is removed when empty. */
    retention: retentionSchema.default({}),
    /**
     * The retention rules see only the versions this schedule made (by its
     * name): versions made by hand, from the command line or by another
     * schedule are never removed by its runs. Absent (schedules saved before
     * it existed): every version of the backup, as then.
     */
    ownVersionsOnly: z.boolean().optional(),
    stopContainers: z.array(containerName).max(64).default([]),
    enabled: z.boolean().default(true),
    /** After the host was off or asleep past a run time, run once to catch up. */
    catchUp: z.boolean().default(true),
    /** Run a test restore after every N scheduled backups (0: never). */
    testRestoreEvery: z.number().int().min(0).max(10_000).default(0),
    /** Notify on success too (failures always notify). */
    notifyOnSuccess: z.boolean().default(false),
  })
  .strict()
  // Checked even when other fields are wrong too (zod skips refinements then, unless `when` says otherwise), so the form shows every problem at once.
  .refine((s) => !!s.stack || (Array.isArray(s.volumes) && s.volumes.length > 0), { path: ['volumes'], message: 'choose at least one volume', when: isObject })
  .refine((s) => !s.stack || !s.volumes?.length, { path: ['volumes'], message: 'a stack schedule backs up the stack’s volumes: list none', when: isObject })
  .refine((s) => !s.stack || !s.stopContainers?.length, { path: ['stopContainers'], message: 'a stack schedule stops the stack’s running containers itself', when: isObject });

/**
 * The keep rules a new schedule starts with, following how often it runs. A
 * schedule that runs several times a day keeps a day of hourly versions: with
 * only daily rules its first run would thin the day down to one version,
 * removing versions made by hand earlier that day.
 */
export function defaultRetention(when: ScheduleWhen): Retention {
  if (runsSeveralTimesADay(when)) return { hourly: 24, daily: 7, weekly: 4, monthly: 6 };
  if (when.kind === 'weekly') return { weekly: 8, monthly: 6 };
  return { daily: 7, weekly: 4, monthly: 6 };
}

function runsSeveralTimesADay(when: ScheduleWhen): boolean {
  if (when.kind === 'interval') return when.unit === 'minutes' || when.every < 24;
  // A cron hour field that is not one number (*, */2, 8-18, 9,17) fires in more than one hour.
  if (when.kind === 'cron') return !/^\d+$/.test(when.expression.trim().split(/\s+/)[1] ?? '');
  return false;
}

export type ScheduleWhen = z.infer<typeof scheduleWhenSchema>;
export type Retention = z.infer<typeof retentionSchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
export type ScheduleInput = z.input<typeof scheduleSchema>;

export interface ScheduleRun {
  at: string;
  outcome: 'succeeded' | 'failed' | 'skipped';
  message: string;
}

/** A schedule as shown: its definition plus where it stands. */
export interface ScheduleStatus extends Schedule {
  nextRun: string | null;
  lastRun: ScheduleRun | null;
  running: boolean;
  /** Encrypted backup whose password is not in the keychain: runs would fail. */
  passwordMissing: boolean;
}
