import { useRestoreStore } from '../../state/restore-store.ts';
import { PasswordField } from '../../components/PasswordField.tsx';

/** Step 4: the password of an encrypted backup (passed over when remembered or not encrypted). */
export function PasswordStep({ backup }: { backup: string }) {
  const password = useRestoreStore((s) => s.password);
  const error = useRestoreStore((s) => s.passwordError);
  const checking = useRestoreStore((s) => s.checkingPassword);
  const patch = useRestoreStore((s) => s.patch);
  return (
    <div className="br-step-body">
      <p>
        <strong className="br-wrap">{backup}</strong> is encrypted and no password is remembered for it. Enter its password:
        it is checked now and used only for this restore.
      </p>
      <PasswordField label="Password" value={password} onChange={(password) => patch({ password })} error={error} disabled={checking} />
    </div>
  );
}
