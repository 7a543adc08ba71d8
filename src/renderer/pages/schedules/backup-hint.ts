import type { BackupDto } from '../../../shared/api/dto.ts';
import type { Loadable } from '../../components/backup-dialog/use-store-lookup.ts';

/**
 * The backup name's hint when it has no problem: which backup the runs add
 * to, or why they would fail (`warn`).
 */
export function backupHint(backupName: string, backups: Loadable<BackupDto[]>, existing: BackupDto | undefined): { text: string; warn: boolean } {
  let text = 'Each run adds a version to this existing backup.';
  let warn = false;
  if (!backupName) {
    // the rule
  } else if (backups.state === 'error') {
    text = `Could not look into this store: ${backups.error}`;
    warn = true;
  } else if (backups.state === 'ready' && !existing) {
    text = `No backup “${backupName}” in this store yet: the first run creates it (choose its encryption under New backup).`;
  } else if (existing?.damaged) {
    text = `“${existing.name}” exists here but cannot be read: ${existing.damaged}`;
    warn = true;
  } else if (existing) {
    const versions = `${existing.versions} ${existing.versions === 1 ? 'version' : 'versions'}`;
    if (!existing.encrypted) text = `Adds versions to “${existing.name}” (${versions}, not encrypted).`;
    else if (existing.passwordRemembered) text = `Adds versions to “${existing.name}” (${versions}, encrypted; its password is remembered).`;
    else {
      // The notice under the name says what is wrong and offers to remember it.
      text = `Adds versions to “${existing.name}” (${versions}, encrypted).`;
    }
  }
  return { text, warn };
}
