import { DetailedError } from '../engine/errors.ts';

/** The password remembered in the keychain no longer opens the backup (exit code 3, like any wrong password). */
export const rememberedPasswordWrong = (message: string) => new DetailedError('WRONG_PASSWORD', 'REMEMBERED_PASSWORD_WRONG', message);

/** An enabled schedule whose encrypted backup's password is not in the keychain (exit code 3, like any missing password). */
export const passwordNotRemembered = (message: string, problem: string) =>
  new DetailedError('PASSWORD_REQUIRED', 'PASSWORD_NOT_REMEMBERED', message, { field: 'password', problem });
