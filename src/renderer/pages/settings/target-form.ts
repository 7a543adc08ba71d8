import type { TargetDto } from '../../../shared/api/dto.ts';
import type { TargetInput } from '../../state/settings-store.ts';

/**
 * The add/edit target form as plain data: its values, what a saved target
 * fills in, the checks (mirroring the API's schema, in words), and the
 * targets.save input it becomes. No React here, so Node tests it directly.
 */
export type TargetKind = 'local' | 's3';

export interface TargetForm {
  name: string;
  kind: TargetKind;
  path: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  /** null: follows the endpoint (path-style when one is set), as the engine does. */
  pathStyle: boolean | null;
  accessKeyId: string;
  /** Never filled from a saved target: the engine does not return it. */
  secretAccessKey: string;
  makeDefault: boolean;
  /** Append-only mode, set with the CLI: no field shows it, but saving keeps it. */
  objectLock: { days: number; mode: 'compliance' | 'governance' } | null;
}

export type FieldName = 'name' | 'path' | 'endpoint' | 'region' | 'bucket' | 'prefix' | 'accessKeyId' | 'secretAccessKey';

/** Messages for people, by field; only fields with a problem. */
export type FormErrors = Partial<Record<FieldName, string>>;

/** Field order on screen: the first one with an error gets the focus. */
export const FIELD_ORDER: readonly FieldName[] = ['name', 'path', 'endpoint', 'region', 'bucket', 'prefix', 'accessKeyId', 'secretAccessKey'];

export const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9._\-/]*$/;
const REGION = /^[A-Za-z0-9._-]{1,64}$/;
/** "/…" on Linux and macOS, "C:\…" or "\\server\share" on Windows. */
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/]|\\\\)/;

export function emptyForm(): TargetForm {
  return {
    name: '',
    kind: 'local',
    path: '',
    endpoint: '',
    region: '',
    bucket: '',
    prefix: '',
    pathStyle: null,
    accessKeyId: '',
    secretAccessKey: '',
    makeDefault: false,
    objectLock: null,
  };
}

export function formFromTarget(t: TargetDto): TargetForm {
  const s = t.settings;
  return {
    ...emptyForm(),
    name: t.name,
    kind: t.type,
    path: s.path ?? '',
    endpoint: s.endpoint ?? '',
    region: s.region ?? '',
    bucket: s.bucket ?? '',
    prefix: s.prefix ?? '',
    pathStyle: s.pathStyle ?? null,
    accessKeyId: s.accessKeyId ?? '',
    makeDefault: t.isDefault,
    objectLock: s.objectLock ?? null,
  };
}

/** What the checkbox shows and what is saved: the user's choice, else path-style when an endpoint is set. */
export function effectivePathStyle(form: TargetForm): boolean {
  return form.pathStyle ?? form.endpoint.trim() !== '';
}

/** True when saving without a secret key keeps the one already stored for this target. */
export function keepsStoredSecret(form: TargetForm, editing: TargetDto | null): boolean {
  return !!editing?.settings.hasSecret && (editing.settings.accessKeyId ?? '') === form.accessKeyId.trim();
}

export interface ValidationContext {
  /** The saved target being edited, or null when adding one. */
  editing: TargetDto | null;
  /** Names already in use (to stop an add from silently replacing a target). */
  existingNames: readonly string[];
}

export function validateForm(form: TargetForm, ctx: ValidationContext): FormErrors {
  const errors: FormErrors = {};
  const name = form.name.trim();
  if (!ctx.editing) {
    if (!name) errors.name = 'Enter a name for the target.';
    else if (!TARGET_NAME.test(name)) errors.name = 'Use up to 64 letters, digits, “.”, “_” or “-”, starting with a letter or digit.';
    else if (ctx.existingNames.includes(name)) errors.name = `A target named “${name}” already exists: choose another name, or edit that target.`;
  }

  if (form.kind === 'local') {
    const path = form.path.trim();
    if (!path) errors.path = 'Enter the folder where backups go.';
    else if (!ABSOLUTE_PATH.test(path)) errors.path = 'Enter the full path of the folder, starting with “/” (or a drive letter on Windows).';
    else if (path.length > 4096) errors.path = 'This path is too long (at most 4096 characters).';
    return errors;
  }

  const endpoint = form.endpoint.trim();
  if (endpoint && !isHttpUrl(endpoint)) errors.endpoint = 'Enter the full address, starting with https:// or http://, e.g. https://s3.example.com.';

  const region = form.region.trim();
  if (region && !REGION.test(region)) errors.region = 'Use letters, digits and “-” only, e.g. us-east-1 (at most 64 characters).';

  const bucket = form.bucket.trim();
  if (!bucket) errors.bucket = 'Enter the name of the bucket.';
  else if (!BUCKET.test(bucket)) {
    errors.bucket = 'Use 3–63 lower-case letters, digits, “.” or “-”, starting and ending with a letter or digit.';
  }

  const prefix = form.prefix.trim();
  if (!PREFIX.test(prefix)) errors.prefix = 'Use only letters, digits, “.”, “_”, “-” and “/”.';
  else if (prefix.length > 1024) errors.prefix = 'This prefix is too long (at most 1024 characters).';

  const accessKeyId = form.accessKeyId.trim();
  const secret = form.secretAccessKey.trim();
  if (accessKeyId.length > 256) errors.accessKeyId = 'This access key is too long (at most 256 characters).';
  else if (!accessKeyId && secret) errors.accessKeyId = 'Enter the access key that goes with the secret key.';

  if (secret.length > 1024) errors.secretAccessKey = 'This secret key is too long (at most 1024 characters).';
  else if (accessKeyId && !secret && !keepsStoredSecret(form, ctx.editing)) {
    errors.secretAccessKey = ctx.editing?.settings.hasSecret
      ? 'Enter the secret key that goes with the new access key.'
      : 'Enter the secret key that goes with the access key.';
  }
  return errors;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The targets.save input; call it only when validateForm found nothing. */
export function toTargetInput(form: TargetForm): TargetInput {
  if (form.kind === 'local') return { type: 'local', path: form.path.trim() };
  const endpoint = form.endpoint.trim();
  const region = form.region.trim();
  const prefix = form.prefix.trim();
  const accessKeyId = form.accessKeyId.trim();
  const secretAccessKey = form.secretAccessKey.trim();
  return {
    type: 's3',
    bucket: form.bucket.trim(),
    ...(prefix ? { prefix } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    pathStyle: effectivePathStyle(form),
    ...(accessKeyId ? { accessKeyId } : {}),
    ...(accessKeyId && secretAccessKey ? { secretAccessKey } : {}),
    ...(form.objectLock ? { objectLock: form.objectLock } : {}),
  };
}

/**
 * A saved target's settings as a targets.save input, to save it again
 * unchanged (e.g. "Make default"): an S3 secret key stays where it is.
 */
export function inputFromTarget(t: TargetDto): TargetInput | null {
  const s = t.settings;
  if (t.type === 'local') return s.path ? { type: 'local', path: s.path } : null;
  if (!s.bucket) return null;
  return {
    type: 's3',
    bucket: s.bucket,
    ...(s.prefix ? { prefix: s.prefix } : {}),
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.region ? { region: s.region } : {}),
    ...(s.pathStyle !== undefined ? { pathStyle: s.pathStyle } : {}),
    ...(s.accessKeyId ? { accessKeyId: s.accessKeyId } : {}),
    ...(s.objectLock ? { objectLock: s.objectLock } : {}),
  };
}
