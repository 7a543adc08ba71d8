import { useState } from 'react';
import type { BackupDto, VersionDto } from '../../../shared/api/dto.ts';
import { formatBytes, formatDate, plural } from '../../../shared/format.ts';
import { friendlyError, isWrongPassword, needsPassword, WRONG_PASSWORD } from './errors.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { useBackupsStore } from '../../state/backups-store.ts';
import { storePhrase, useTargetsStore } from '../../state/targets-store.ts';
import { PasswordField } from '../../components/PasswordField.tsx';

interface Props {
  backup: BackupDto;
  /** One version, or the whole backup when absent. */
  version?: VersionDto;
  onDelete(password?: string): Promise<void>;
  onClose(): void;
}

/** Asks before deleting, naming exactly what goes: the whole backup with its N versions, or one version. */
export function DeleteDialog({ backup, version, onDelete, onClose }: Props) {
  // Deleting a version rewrites the backup's index, which needs its key.
  const [askPassword, setAskPassword] = useState(!!version && backup.encrypted && !backup.passwordRemembered);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    if (askPassword && !password) {
      setError('Enter the password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onDelete(askPassword ? password : undefined);
    } catch (err) {
      setBusy(false);
      if (needsPassword(err)) {
        setAskPassword(true);
        setError(askPassword ? WRONG_PASSWORD : 'Enter the password of this backup.');
      } else {
        setError(isWrongPassword(err) ? WRONG_PASSWORD : friendlyError(err));
      }
    }
  }

  // With more than one store, which one it is deleted from (the same name can be on several).
  const choices = useTargetsStore((s) => s.choices);
  const target = useBackupsStore((s) => s.target);
  const where = choices && choices.length > 1 ? storePhrase(choices, target) : null;
  const title = version ? 'Delete this version?' : `Delete backup ${backup.name}?`;
  const others = backup.versions - 1;
  return (
    <Dialog
      title={title}
      onClose={onClose}
      busy={busy}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy} data-autofocus={!askPassword || undefined}>
            Cancel
          </button>
          <button type="submit" className="button br-button-danger" disabled={busy}>
            {busy ? 'Deleting…' : version ? 'Delete version' : 'Delete backup'}
          </button>
        </>
      }
    >
      {version ? (
        <p className="dialog-text">
          This permanently deletes the version of <strong className="br-wrap">{backup.name}</strong> created{' '}
          <strong>{formatDate(version.createdAt)}</strong> <span className="muted">({version.id})</span>
          {where && (
            <>
              {' '}
              from <strong>{where}</strong>
            </>
          )}
          .{' '}
          {others === 1 ? 'The other version is kept.' : others > 1 ? `The other ${plural(others, 'version')} are kept.` : 'It is the only version: the backup is left empty.'}
        </p>
      ) : (
        <p className="dialog-text">
          This permanently deletes the backup <strong className="br-wrap">{backup.name}</strong>
          {where && (
            <>
              {' '}
              from <strong>{where}</strong>
            </>
          )}{' '}
          with{' '}
          <strong>{backup.versions === 1 ? 'its only version' : `all ${plural(backup.versions, 'version')}`}</strong>
          {backup.storedBytes ? ` (${formatBytes(backup.storedBytes)} stored)` : ''}.
          {backup.passwordRemembered ? ' Its remembered password is forgotten too.' : ''}
        </p>
      )}
      <p className="dialog-text muted">This cannot be undone.</p>
      {askPassword && <PasswordField label="Password" value={password} onChange={setPassword} error={error} disabled={busy} autoFocus />}
      {!askPassword && (
        <p className="br-field-error" role="alert">
          {error ?? ''}
        </p>
      )}
    </Dialog>
  );
}
