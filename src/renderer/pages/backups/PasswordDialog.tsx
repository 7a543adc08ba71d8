import { useState } from 'react';
import { friendlyError, isWrongPassword, WRONG_PASSWORD } from './errors.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { PasswordField } from '../../components/PasswordField.tsx';

interface Props {
  backup: string;
  /** What the password is for, e.g. "run the test restore". */
  purpose: string;
  /** The button that retries, e.g. "Test restore". */
  submitLabel: string;
  /** Retries with the password; rejects with the API error (shown here). */
  onSubmit(password: string): Promise<void>;
  onClose(): void;
}

/** Asks for a backup's password and retries an action with it; a wrong one keeps the dialog open. */
export function PasswordDialog({ backup, purpose, submitLabel, onSubmit, onClose }: Props) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    if (!password) {
      setError('Enter the password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(password);
    } catch (err) {
      setError(isWrongPassword(err) ? WRONG_PASSWORD : friendlyError(err));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={`Password for ${backup}`}
      description={`This backup is encrypted. Enter its password to ${purpose}.`}
      onClose={onClose}
      busy={busy}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Checking…' : submitLabel}
          </button>
        </>
      }
    >
      <PasswordField label="Password" value={password} onChange={setPassword} error={error} disabled={busy} autoFocus />
    </Dialog>
  );
}
