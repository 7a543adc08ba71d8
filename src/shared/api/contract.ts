import { z } from 'zod';
import type { AppInfo, BackupDto, EngineChoiceDto, JobDto, LockDto, TargetDto, TreeNodeDto, VersionDto, VersionOriginDto, VolumeDto } from './dto.ts';
import { backupName, containerName, retentionSchema, scheduleSchema, scheduleWhenSchema, stackName, volumeName, type ScheduleStatus } from '../schedule.ts';

/**
 * The whole app API, declared once. The main side validates every request's
 * params against these schemas before acting; the TypeScript types of params
 * come from the same schemas, results and events are typed below.
 */
const versionRef = z.string().max(64).regex(/^[0-9A-Za-z-]+$/, 'a version id');
const password = z.string().min(1, 'the password must not be empty').max(4096);
const jobId = z.string().regex(/^job-[0-9a-f]{12}$/, 'a job id');
const targetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a storage target name');
/** Which storage target to use; the default target (or local store) when omitted. */
const target = targetName.optional();
const treePath = z
  .string()
  .max(4096)
  .refine((p) => !p.split('/').some((part) => part === '..'), 'a path inside the version, without ".."');
const scheduleName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a schedule name');
const none = z.object({}).strict();

export const targetInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('local'), path: z.string().min(1).max(4096) }).strict(),
  z
    .object({
      type: z.literal('s3'),
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
      prefix: z.string().max(1024).regex(/^[A-Za-z0-9._\-/]*$/, 'letters, digits, ".", "_", "-" and "/"').optional(),
      endpoint: z.url().optional(),
      region: z.string().min(1).max(64).optional(),
      pathStyle: z.boolean().optional(),
      accessKeyId: z.string().min(1).max(256).optional(),
      /** Goes to the keychain, never to the config file. */
      secretAccessKey: z.string().min(1).max(1024).optional(),
      /** Append-only mode (S3 Object Lock); the app keeps what the CLI set. */
      objectLock: z.object({ days: z.number().int().min(1).max(36500), mode: z.enum(['compliance', 'governance']) }).strict().optional(),
    })
    .strict(),
]);

export const apiParams = {
  'app.info': none,
  'volumes.list': none,
  'engines.list': none,
  /** Switches the app to another Docker engine (a docker CLI context) once it answers, and remembers it. */
  'engines.select': z.object({ name: z.string().max(256).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/, 'a Docker context name') }).strict(),
  /** One folder of a volume as it is now (not a backup's), for browsing its files. */
  'volumes.tree': z.object({ volume: volumeName, path: treePath.default('') }).strict(),
  'backups.list': z.object({ target }).strict(),
  'backups.versions': z.object({ backup: backupName, target }).strict(),
  'backups.tree': z
    .object({ backup: backupName, version: versionRef.optional(), volume: volumeName.optional(), path: treePath.default(''), password: password.optional(), target })
    .strict(),
  'backups.delete': z.object({ backup: backupName, version: versionRef.optional(), password: password.optional(), target }).strict(),
  'backups.changePassword': z.object({ backup: backupName, password: password.optional(), newPassword: password, target }).strict(),
  /** Removes stale locks (a crashed or vanished holder); live ones too with `force`. No password needed. */
  'backups.unlock': z.object({ backup: backupName, force: z.boolean().default(false), target }).strict(),
  /** What "Reclaim space" (prune) would free now, changing nothing. */
  'backups.reclaimEstimate': z.object({ backup: backupName, password: password.optional(), target }).strict(),
  /** Reclaim space: removes the data no version uses (prune). */
  'backups.reclaim': z.object({ backup: backupName, password: password.optional(), target }).strict(),
  'jobs.list': none,
  'jobs.cancel': z.object({ jobId }).strict(),
  'jobs.startBackup': z
    .object({
      volumes: z.array(volumeName).min(1, 'choose at least one volume').max(64),
      backup: backupName,
      encrypt: z.boolean(),
      password: password.optional(),
      rememberPassword: z.boolean().default(false),
      stopContainers: z.array(containerName).max(64).default([]),
      target,
    })
    .strict(),
  /** Every volume of a Compose stack, its running containers stopped dependents first and started again after. */
  'jobs.startStackBackup': z
    .object({
      stack: stackName,
      backup: backupName,
      /** One backup per volume (named BACKUP-VOLUME) instead of one version of one backup. */
      perVolume: z.boolean().default(false),
      encrypt: z.boolean(),
      password: password.optional(),
      rememberPassword: z.boolean().default(false),
      target,
    })
    .strict(),
  /** Every volume of a version into the stack's volumes of the same names, all verified in staging first. */
  'jobs.startStackRestore': z
    .object({ backup: backupName, version: versionRef.optional(), stack: stackName, force: z.boolean().default(false), password: password.optional(), target })
    .strict(),
  'jobs.startRestore': z
    .object({
      backup: backupName,
      version: versionRef.optional(),
      sourceVolume: volumeName.optional(),
      /** The restore destination: a volume, created when missing (never called a target: that is a store). */
      destinationVolume: volumeName.optional(),
      /** Or a folder on the machine running DVOM (absolute; not a system folder); exactly one of the two. */
      destinationDir: z.string().min(1).max(4096).optional(),
      /** Only these files and folders (relative to the volume); everything when omitted. */
      paths: z.array(treePath.refine((p) => p.length > 0, 'a non-empty path')).max(10_000).optional(),
      /**
       * What happens to a destination that holds data. replace: its contents are replaced by the restore (only with
       * `force`); merge: the restored files are written into it and everything else is kept, a file it already has
       * being kept (`onExisting` skip) or replaced (overwrite). Both restore and verify into a temporary copy first.
       */
      mode: z.enum(['replace', 'merge']).default('replace'),
      onExisting: z.enum(['skip', 'overwrite']).default('skip'),
      force: z.boolean().default(false),
      stopContainers: z.array(containerName).max(64).default([]),
      password: password.optional(),
      target,
    })
    .strict(),
  'jobs.startTestRestore': z
    .object({ backup: backupName, version: versionRef.optional(), password: password.optional(), target })
    .strict(),
  'jobs.startVerify': z.object({ backup: backupName, readData: z.boolean().default(false), password: password.optional(), target }).strict(),
  'secrets.setPassword': z.object({ backup: backupName, password, target }).strict(),
  'secrets.hasPassword': z.object({ backup: backupName, target }).strict(),
  'secrets.deletePassword': z.object({ backup: backupName, target }).strict(),
  'targets.list': none,
  'targets.save': z.object({ name: targetName, target: targetInputSchema, makeDefault: z.boolean().default(false) }).strict(),
  'targets.remove': z.object({ name: targetName }).strict(),
  /** Tests a saved target; with `target`, settings not saved yet (under that name: an S3 secret key not given is the one kept for it). */
  'targets.test': z.object({ name: targetName, target: targetInputSchema.optional() }).strict(),
  'schedules.list': none,
  /** `password`: of the new encrypted backup the schedule's first run creates; kept in the keychain, never returned. */
  'schedules.save': z.object({ schedule: scheduleSchema, replaces: scheduleName.optional(), password: password.optional() }).strict(),
  'schedules.remove': z.object({ name: scheduleName }).strict(),
  'schedules.setEnabled': z.object({ name: scheduleName, enabled: z.boolean() }).strict(),
  'schedules.pauseAll': z.object({ paused: z.boolean() }).strict(),
  'schedules.runNow': z.object({ name: scheduleName }).strict(),
  /** Next five run times, and which of the backup's versions a retention policy would keep. */
  'schedules.preview': z
    .object({
      when: scheduleWhenSchema,
      retention: retentionSchema.optional(),
      backup: backupName.optional(),
      target,
      /** The schedule's name, and whether its rules see only the versions it made (as the schedule option). */
      schedule: scheduleName.optional(),
      ownVersionsOnly: z.boolean().optional(),
    })
    .strict(),
} as const;

export type ApiMethod = keyof typeof apiParams;
export type ParamsOf<M extends ApiMethod> = z.input<(typeof apiParams)[M]>;
export type ValidParamsOf<M extends ApiMethod> = z.output<(typeof apiParams)[M]>;

export interface ApiResults {
  'app.info': AppInfo;
  'volumes.list': VolumeDto[];
  'engines.list': EngineChoiceDto[];
  'engines.select': AppInfo['engine'];
  'volumes.tree': TreeNodeDto[];
  'backups.list': BackupDto[];
  'backups.versions': VersionDto[];
  'backups.tree': TreeNodeDto[];
  'backups.delete': { deleted: string };
  'backups.changePassword': { changed: true };
  /** `live`: locks still held (and left in place) when not forced. */
  'backups.unlock': { removed: number; live: LockDto[] };
  /** `packsSpared`: packs a backup still running elsewhere may need; a later reclaim frees them. */
  'backups.reclaimEstimate': { bytesToFree: number; packsSpared: number };
  'backups.reclaim': { bytesFreed: number };
  'jobs.list': JobDto[];
  'jobs.cancel': { cancelled: boolean };
  'jobs.startBackup': { jobId: string };
  'jobs.startStackBackup': { jobId: string };
  'jobs.startStackRestore': { jobId: string };
  'jobs.startRestore': { jobId: string };
  'jobs.startTestRestore': { jobId: string };
  'jobs.startVerify': { jobId: string };
  'secrets.setPassword': { stored: true };
  'secrets.hasPassword': { remembered: boolean };
  'secrets.deletePassword': { deleted: boolean };
  'targets.list': TargetDto[];
  'targets.save': TargetDto;
  'targets.remove': { removed: true };
  'targets.test': { location: string };
  'schedules.list': { paused: boolean; schedules: ScheduleStatus[] };
  'schedules.save': ScheduleStatus;
  'schedules.remove': { removed: true };
  'schedules.setEnabled': ScheduleStatus;
  'schedules.pauseAll': { paused: boolean };
  'schedules.runNow': { jobId: string };
  'schedules.preview': SchedulePreview;
}

export interface SchedulePreview {
  nextRuns: string[];
  /** Present when a backup with versions was given and a policy with at least one rule. */
  retention?: {
    keep: { id: string; createdAt: string; reasons: string[]; origin?: VersionOriginDto }[];
    remove: { id: string; createdAt: string; origin?: VersionOriginDto }[];
    /** With ownVersionsOnly: how many versions the rules leave alone (not made by this schedule). */
    untouched?: number;
    /** An encrypted backup listed without its password: what made each version (stored encrypted) is not known. */
    originsUnknown?: true;
  };
}

export type ResultOf<M extends ApiMethod> = ApiResults[M];

/** Pushed from the main side; progress arrives as events, never by polling. */
export interface ApiEvents {
  'job.updated': JobDto;
  'volumes.changed': Record<string, never>;
  'backups.changed': Record<string, never>;
  'schedules.changed': Record<string, never>;
}

export type ApiEvent = keyof ApiEvents;
export const API_EVENTS: readonly ApiEvent[] = ['job.updated', 'volumes.changed', 'backups.changed', 'schedules.changed'];

export const API_METHODS = Object.keys(apiParams) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(apiParams, name);
}

// Compile-time check: every method has a result type and vice versa.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameMethods: Exact<ApiMethod, keyof ApiResults> = true;
void _sameMethods;
