import { useRestoreStore } from '../../state/restore-store.ts';
import { PasswordField } from '../../components/PasswordField.tsx';

/** Asks for an encrypted backup's password before its files can be browsed (inside the wizard's form: no form of its own). */
export function PasswordGate({ backup }: { backup: string }) {
  const password = useRestoreStore((s) => s.password);
  const error = useRestoreStore((s) => s.passwordError);
  const checking = useRestoreStore((s) => s.checkingPassword);
  const patch = useRestoreStore((s) => s.patch);
  const checkPassword = useRestoreStore((s) => s.checkPassword);

  return (
    <div
      className="br-gate"
      role="group"
      aria-label="Unlock the backup"
      onKeyDown={(e) => {
        if (e.key !== 'Enter' || !(e.target instanceof HTMLInputElement)) return;
        e.preventDefault();
        if (!checking) void checkPassword();
      }}
    >
      <p>
        <strong className="br-wrap">{backup}</strong> is encrypted. Enter its password to see its files.
      </p>
      <PasswordField label="Password" value={password} onChange={(password) => patch({ password })} error={error} disabled={checking} />
      <button type="button" className="button button-primary" onClick={() => void checkPassword()} disabled={checking}>
        {checking ? 'Checking…' : 'Show files'}
      </button>
    </div>
  );
}
