/** Keychain account names, shared by the CLI and the app so both find the same secrets. */

/** A backup's password: the same backup name in two stores may have two passwords. */
export function passwordAccount(storeLocation: string, backup: string): string {
  return `${storeLocation}#${backup}`;
}

/** The S3 secret key of a named storage target. */
export function s3SecretAccount(targetName: string): string {
  return `target:${targetName}`;
}
