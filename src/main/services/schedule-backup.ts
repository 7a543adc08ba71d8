import type { Schedule } from '../../shared/schedule.ts';
import { DetailedError, usageError } from '../engine/errors.ts';
import type { StorageBackend } from '../engine/storage/backend.ts';
import { passwordNotRemembered } from '../platform/detailed-error.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { existingRepoConfig } from './open-backup.ts';
import { forgetPassword, rememberedPassword, rememberPassword } from './passwords.ts';

/**
 * A schedule's backup as the schedule is saved (API and CLI alike): the
 * password of a backup its first run creates goes to the keychain, and an
 * enabled schedule whose runs could not open their backup is refused.
 */

export interface ScheduleBackupCheck {
  /** The password for the new encrypted backup the first run creates (the app's editor, `schedule add --encrypt`). */
  password?: string | undefined;
}

/** Whether the schedule's backup is (or will be created) encrypted; undefined when it does not exist and the schedule does not create it. */
async function encryptedBackup(store: StorageBackend, schedule: Schedule): Promise<{ exists: boolean; encrypted: boolean | undefined }> {
  const config = await existingRepoConfig(store, schedule.backup);
  if (config) return { exists: true, encrypted: config.encrypted };
  return { exists: false, encrypted: schedule.encrypt };
}

/**
 * Checks (and for a new encrypted backup, remembers the password of) a
 * schedule's backup before the schedule is saved. Returns an undo for the
 * password stored here, for when saving the schedule then fails.
 */
export async function prepareScheduleBackup(
  store: StorageBackend,
  secrets: SecretStore,
  schedule: Schedule,
  check: ScheduleBackupCheck = {},
): Promise<() => Promise<void>> {
  const { exists, encrypted } = await encryptedBackup(store, schedule);
  if (exists && schedule.encrypt && !encrypted) {
    throw usageError(`backup '${schedule.backup}' exists and is not encrypted; encryption is chosen when a backup is created (choose a new backup name)`);
  }
  let undo = async () => {};
  if (check.password !== undefined) {
    if (exists) {
      // An existing backup's password is remembered where it is checked against the backup (secrets.setPassword, --remember-password).
      throw new DetailedError('USAGE', 'INVALID_ARGUMENT', `backup '${schedule.backup}' exists already: remember its password instead`, {
        field: 'password',
        problem: 'the backup exists already: a password goes with a new encrypted backup only',
      });
    }
    if (!schedule.encrypt) {
      throw new DetailedError('USAGE', 'INVALID_ARGUMENT', 'a password goes with a schedule whose first run creates an encrypted backup', {
        field: 'password',
        problem: 'only for a new encrypted backup',
      });
    }
    const before = await rememberedPassword(secrets, store, schedule.backup);
    await rememberPassword(secrets, store, schedule.backup, check.password);
    undo = async () => {
      if (before === undefined) await forgetPassword(secrets, store, schedule.backup).catch(() => false);
      else await rememberPassword(secrets, store, schedule.backup, before).catch(() => undefined);
    };
  }
  if (schedule.enabled && encrypted && !(await rememberedPassword(secrets, store, schedule.backup))) {
    const what = exists ? `backup '${schedule.backup}' is encrypted` : `the first run creates backup '${schedule.backup}' encrypted`;
    throw passwordNotRemembered(
      `${what} and its password is not remembered in the ${secrets.name}, so scheduled runs could not open it; ` +
        (exists ? `remember it first (in the app, or: dvom verify ${schedule.backup} --remember-password), or save the schedule disabled` : 'give its password, or save the schedule disabled'),
      exists ? 'its password is not remembered on this computer' : 'enter the password of the new backup',
    );
  }
  return undo;
}

/** Saves a schedule after its backup checks; a password remembered for it is taken back when saving fails. */
export async function saveWithBackupCheck<T>(
  store: StorageBackend,
  secrets: SecretStore,
  schedule: Schedule,
  check: ScheduleBackupCheck,
  save: () => Promise<T>,
): Promise<T> {
  const undo = await prepareScheduleBackup(store, secrets, schedule, check);
  try {
    return await save();
  } catch (err) {
    await undo();
    throw err;
  }
}
