import { useState } from 'react';
import { ApiError } from '../../../shared/api/client.ts';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { PasswordField } from '../../components/PasswordField.tsx';

interface Props {
  /** Whose backup (in which store): a listed schedule, or the one being edited. */
  schedule: Pick<ScheduleStatus, 'backup' | 'target'>;
  onClose(): void;
  /** After the keychain has it (the list is reloaded by the caller). */
  onRemembered(backup: string): void;
}

/** Puts an encrypted backup's password in the keychain, so its scheduled runs can open it. */
export function RememberPasswordDialog({ schedule, onClose, onRemembered }: Props) {
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    if (busy) return;
    if (!password) {
      setError('Enter the password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api().call('secrets.setPassword', { backup: schedule.backup, password, ...(schedule.target ? { target: schedule.target } : {}) });
      onRemembered(schedule.backup);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'WRONG_PASSWORD' ? 'That is not the password of this backup. Try again.' : errorText(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Remember the password of ${schedule.backup}`}
      description="DVOM checks that it opens the backup, then keeps it in this computer’s keychain (never in a file), so scheduled runs can use it."
      onClose={onClose}
      busy={busy}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Checking…' : 'Remember password'}
          </button>
        </>
      }
    >
      <PasswordField
        label="Password"
        value={password}
        autoFocus
        inputClassName="sch-input"
        error={error}
        hint={`The password “${schedule.backup}” was created with.`}
        disabled={busy}
        onChange={(value) => {
          setPassword(value);
          setError(null);
        }}
      />
    </Dialog>
  );
}
