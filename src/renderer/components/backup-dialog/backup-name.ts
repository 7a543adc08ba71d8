/** The engine's rule for backup names (see jobs.startBackup in the API contract). */
export const BACKUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const BACKUP_NAME_RULE = "Letters, digits, '.', '_' and '-'.";

/** What is wrong with a backup name, for people; null when it is fine. */
export function backupNameProblem(name: string): string | null {
  if (!name) return 'Enter a name for the backup.';
  if (name.length > 128) return `The name is ${name.length} characters long; 128 at most.`;
  if (!/^[A-Za-z0-9]/.test(name)) return 'Start the name with a letter or a digit.';
  const bad = [...new Set(name.match(/[^A-Za-z0-9._-]/g) ?? [])];
  if (bad.length) {
    const shown = bad.map((c) => (c === ' ' ? 'spaces' : `“${c}”`)).join(', ');
    return `Use only letters, digits, '.', '_' and '-' (not ${shown}).`;
  }
  return BACKUP_NAME.test(name) ? null : BACKUP_NAME_RULE;
}

/** A volume's name as a backup name: volume names allow the same characters, but may be longer. */
export function defaultBackupName(volume: string): string {
  return volume.slice(0, 128);
}
