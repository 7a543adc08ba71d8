import { useState } from 'react';
import type { BackupDto } from '../../../shared/api/dto.ts';
import { friendlyError, isWrongPassword, needsPassword, WRONG_PASSWORD } from './errors.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { PasswordField } from '../../components/PasswordField.tsx';

interface Props {
  backup: BackupDto;
  onChange(password: string | undefined, newPassword: string): Promise<void>;
  onClose(): void;
}

interface Errors {
  current?: string;
  next?: string;
  confirm?: string;
  other?: string;
}

/** Current password (unless remembered), new one twice; a wrong current one is said at its field. */
export function ChangePasswordDialog({ backup, onChange, onClose }: Props) {
  const [askCurrent, setAskCurrent] = useState(!backup.passwordRemembered);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  async function submit() {
    const found: Errors = {};
    if (askCurrent && !current) found.current = 'Enter the current password.';
    if (!next) found.next = 'Enter a new password.';
    else if (next === current && askCurrent) found.next = 'The new password is the same as the current one.';
    if (next && confirm !== next) found.confirm = 'The two new passwords do not match.';
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await onChange(askCurrent ? current : undefined, next);
    } catch (err) {
      setBusy(false);
      if (needsPassword(err)) {
        setAskCurrent(true);
        setErrors({ current: askCurrent ? WRONG_PASSWORD : 'The remembered password no longer opens this backup: enter the current one.' });
      } else if (isWrongPassword(err)) {
        setErrors({ current: WRONG_PASSWORD });
      } else {
        setErrors({ other: friendlyError(err) });
      }
    }
  }

  return (
    <Dialog
      title={`Change the password of ${backup.name}`}
      description="The data is not re-encrypted: only its key is locked with the new password, so this is quick. The old password stops working."
      onClose={onClose}
      busy={busy}
      onSubmit={() => void submit()}
      footer={
        <>
          <p className="dialog-message" role="alert">
            {errors.other ?? ''}
          </p>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </>
      }
    >
      {askCurrent ? (
        <PasswordField label="Current password" value={current} onChange={setCurrent} error={errors.current} disabled={busy} autoFocus />
      ) : (
        <p className="dialog-text muted">The remembered password opens it, and the keychain is updated to the new one.</p>
      )}
      <PasswordField
        label="New password"
        value={next}
        onChange={setNext}
        error={errors.next}
        autoComplete="new-password"
        disabled={busy}
        autoFocus={!askCurrent}
      />
      <PasswordField
        label="Confirm new password"
        value={confirm}
        onChange={setConfirm}
        error={errors.confirm}
        autoComplete="new-password"
        disabled={busy}
      />
    </Dialog>
  );
}
