import { useState } from 'react';
import { PasswordField } from '../../components/PasswordField.tsx';
import { Switch } from '../../components/Switch.tsx';
import type { Strength } from '../../components/backup-dialog/password-strength.ts';
import { StrengthMeter } from '../../components/backup-dialog/StrengthMeter.tsx';
import { WeakPasswordConfirm } from '../../components/backup-dialog/WeakPasswordConfirm.tsx';
import type { EditorForm } from './use-editor-form.tsx';

interface Props {
  form: EditorForm;
  /** The backup's name as typed (it does not exist in the chosen store yet). */
  backupName: string;
  /** A password for it is remembered already (an edited schedule): typing one is optional then. */
  remembered: boolean;
  /** The typed password's strength (null while none is typed or it is being estimated). */
  strength: Strength | null;
}

/**
 * For a backup that does not exist yet: the first run creates it, so this is
 * where its encryption is chosen, once, with its password (kept in this
 * computer's keychain for the runs).
 */
export function NewBackupSection({ form, backupName, remembered, strength }: Props) {
  const { draft, busy, id, fieldId, hintId, shown, change, touch, reg } = form;
  const [showPasswords, setShowPasswords] = useState(false);
  return (
    <section className="sch-section" aria-labelledby={`${id}-new-backup`}>
      <h2 id={`${id}-new-backup`}>New backup</h2>
      <p className="muted sch-section-text">
        The first run creates “{backupName}”. Its encryption is chosen now, once: it cannot change later.
      </p>
      <div className="field field-switch">
        <Switch
          label="Encrypt"
          checked={draft.encrypt}
          disabled={busy}
          onChange={(on) => change({ encrypt: on }, ['encrypt', 'password', 'confirm'])}
          description={draft.encrypt ? 'Only someone with the password can read or restore this backup.' : 'Anyone who can read the storage can read these files.'}
        />
      </div>
      {draft.encrypt && (
        <div className="sch-password-group">
          <div className="sch-password-pair">
            <PasswordField
              id={fieldId('password')}
              inputRef={reg('password')}
              label="Password"
              value={draft.password}
              autoComplete="new-password"
              inputClassName="sch-input"
              shown={showPasswords}
              onToggleShown={() => setShowPasswords((v) => !v)}
              error={shown('password')}
              hint={remembered ? 'Remembered in the keychain: leave empty to keep it.' : 'Nobody can recover it if it is lost.'}
              disabled={busy}
              onBlur={() => touch('password')}
              describedBy={fieldId('strength')}
              onChange={(value) => change({ password: value, weakAccepted: false }, ['password', 'weak'])}
            />
            <PasswordField
              id={fieldId('confirm')}
              inputRef={reg('confirm')}
              label="Confirm password"
              value={draft.confirm}
              autoComplete="new-password"
              inputClassName="sch-input"
              shown={showPasswords}
              onToggleShown={false}
              error={shown('confirm')}
              hint="Type it once more."
              disabled={busy}
              onBlur={() => touch('confirm')}
              onChange={(value) => change({ confirm: value }, ['confirm'])}
            />
          </div>
          <StrengthMeter strength={strength} id={fieldId('strength')} />
          {draft.password && strength?.score === 0 && (
            <WeakPasswordConfirm
              accepted={draft.weakAccepted}
              onChange={(on) => change({ weakAccepted: on }, ['weak'])}
              problem={shown('weak')}
              hintId={hintId('weak')}
              inputRef={reg('weak')}
              disabled={busy}
            />
          )}
          <p className="field-hint">Kept in this computer’s keychain so scheduled runs can use it; never written to a file or shown again.</p>
        </div>
      )}
    </section>
  );
}
