import { z } from 'zod';
import { scheduleSchema } from '../../shared/schedule.ts';
import { CONTEXT_NAME } from '../docker/docker-context.ts';

/** A place backups are stored. Secrets are never kept here unless the user put them here by hand. */
export const localTargetSchema = z.object({
  type: z.literal('local'),
  path: z.string().min(1),
});

export const s3TargetSchema = z.object({
  type: z.literal('s3'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3-63 lower-case letters, digits, dots, dashes)'),
  prefix: z.string().regex(/^[A-Za-z0-9._\-/]*$/, 'letters, digits, ".", "_", "-" and "/"').optional(),
  endpoint: z.url().optional(),
  region: z.string().min(1).optional(),
  pathStyle: z.boolean().optional(),
  profile: z.string().min(1).optional(),
  accessKeyId: z.string().min(1).optional(),
  /** Where the secret key is: 'keychain' (default when an access key is set) or, discouraged, inline. */
  secretAccessKey: z.string().min(1).optional(),
  /**
   * Append-only mode: every object written once is held with S3 Object Lock
   * for `days` (the bucket must have Object Lock enabled). 'compliance' (the
   * default): nobody can lift a hold; 'governance': whoever may bypass
   * governance retention can.
   */
  objectLock: z
    .object({
      days: z.number().int().min(1).max(36500),
      mode: z.enum(['compliance', 'governance']).default('compliance'),
    })
    .optional(),
});

export const targetSchema = z.discriminatedUnion('type', [localTargetSchema, s3TargetSchema]);

export const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const configSchema = z.object({
  version: z.literal(1),
  defaultTarget: z.string().regex(TARGET_NAME).optional(),
  targets: z
    .record(z.string(), targetSchema)
    .superRefine((targets, ctx) => {
      // Checked here rather than on the record's key schema, whose errors lose the explanation.
      for (const name of Object.keys(targets)) {
        if (!TARGET_NAME.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: `target name '${name}': use letters, digits, ".", "_" or "-" (at most 64)` });
        }
      }
    })
    .default({}),
  docker: z
    .object({
      host: z.string().min(1).optional(),
      /** The Docker context picked in the app (or by hand): used unless --context, DOCKER_HOST or DOCKER_CONTEXT choose. */
      context: z.string().regex(CONTEXT_NAME, 'a Docker context name (letters, digits, "_", ".", "+", "-")').optional(),
    })
    .default({}),
  schedules: z
    .array(scheduleSchema)
    .default([])
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      for (const [i, s] of list.entries()) {
        if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `schedule '${s.name}' is defined twice` });
        seen.add(s.name);
      }
    }),
  /** Pause all schedules (tray: "Pause all schedules"). */
  schedulesPaused: z.boolean().default(false),
  /** `dvom serve`: the port to listen on (kept across restarts so open tabs reconnect; --port overrides it). */
  serve: z.object({ port: z.number().int().min(0).max(65535).optional() }).strict().optional(),
});

export type LocalTarget = z.infer<typeof localTargetSchema>;
export type S3Target = z.infer<typeof s3TargetSchema>;
export type StorageTarget = z.infer<typeof targetSchema>;
export type DvomConfig = z.infer<typeof configSchema>;
/** A config as written by hand or by older versions: defaults not yet applied. */
export type DvomConfigInput = z.input<typeof configSchema>;

// Kept free of zod (commands that only read the config load the schema when there is one): re-exported here.
export { emptyConfig, holdsSecrets, redactConfig } from './config-values.ts';
