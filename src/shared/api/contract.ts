import { z } from 'zod';
import type { AppInfo, BackupDto, JobDto, TargetDto, VersionDto, VolumeDto } from './dto.ts';

/**
 * The whole app API, declared once. The main side validates every request's
 * params against these schemas before acting; the TypeScript types of params
 * come from the same schemas, results and events are typed below.
 */
const backupName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a backup name: 1-128 letters, digits, ".", "_" or "-"');
const volumeName = z.string().max(255).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a Docker volume name');
const containerName = z.string().max(255).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a container name');
const versionRef = z.string().max(64).regex(/^[0-9A-Za-z-]+$/, 'a version id');
const password = z.string().min(1, 'the password must not be empty').max(4096);
const jobId = z.string().regex(/^job-[0-9a-f]{12}$/, 'a job id');
const none = z.object({}).strict();

export const apiParams = {
  'app.info': none,
  'volumes.list': none,
  'backups.list': none,
  'backups.versions': z.object({ backup: backupName }).strict(),
  'backups.delete': z.object({ backup: backupName, version: versionRef.optional(), password: password.optional() }).strict(),
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
    })
    .strict(),
  'jobs.startRestore': z
    .object({
      backup: backupName,
      version: versionRef.optional(),
      sourceVolume: volumeName.optional(),
      targetVolume: volumeName,
      force: z.boolean().default(false),
      stopContainers: z.array(containerName).max(64).default([]),
      password: password.optional(),
    })
    .strict(),
  'jobs.startTestRestore': z
    .object({ backup: backupName, version: versionRef.optional(), password: password.optional() })
    .strict(),
  'jobs.startVerify': z.object({ backup: backupName, readData: z.boolean().default(false), password: password.optional() }).strict(),
  'secrets.setPassword': z.object({ backup: backupName, password }).strict(),
  'secrets.hasPassword': z.object({ backup: backupName }).strict(),
  'secrets.deletePassword': z.object({ backup: backupName }).strict(),
  'targets.list': none,
} as const;

export type ApiMethod = keyof typeof apiParams;
export type ParamsOf<M extends ApiMethod> = z.input<(typeof apiParams)[M]>;
export type ValidParamsOf<M extends ApiMethod> = z.output<(typeof apiParams)[M]>;

export interface ApiResults {
  'app.info': AppInfo;
  'volumes.list': VolumeDto[];
  'backups.list': BackupDto[];
  'backups.versions': VersionDto[];
  'backups.delete': { deleted: string };
  'jobs.list': JobDto[];
  'jobs.cancel': { cancelled: boolean };
  'jobs.startBackup': { jobId: string };
  'jobs.startRestore': { jobId: string };
  'jobs.startTestRestore': { jobId: string };
  'jobs.startVerify': { jobId: string };
  'secrets.setPassword': { stored: true };
  'secrets.hasPassword': { remembered: boolean };
  'secrets.deletePassword': { deleted: boolean };
  'targets.list': TargetDto[];
}

export type ResultOf<M extends ApiMethod> = ApiResults[M];

/** Pushed from the main side; progress arrives as events, never by polling. */
export interface ApiEvents {
  'job.updated': JobDto;
  'volumes.changed': Record<string, never>;
  'backups.changed': Record<string, never>;
}

export type ApiEvent = keyof ApiEvents;
export const API_EVENTS: readonly ApiEvent[] = ['job.updated', 'volumes.changed', 'backups.changed'];

export const API_METHODS = Object.keys(apiParams) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(apiParams, name);
}

// Compile-time check: every method has a result type and vice versa.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameMethods: Exact<ApiMethod, keyof ApiResults> = true;
void _sameMethods;
