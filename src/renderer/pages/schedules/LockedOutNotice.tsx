import type { EditorForm } from './use-editor-form.tsx';

interface Props {
  form: EditorForm;
  backup: string;
  onRemember(): void;
}

/**
 * An existing encrypted backup whose password this computer does not
 * remember: its runs could not open it, so the schedule saves only disabled.
 * Says so (or the engine's refusal) where the password problem is shown, and
 * offers to remember it.
 */
export function LockedOutNotice({ form, backup, onRemember }: Props) {
  const problem = form.shown('password');
  return (
    <div className="sch-warning sch-editor-warning" ref={form.reg('password')} tabIndex={-1} aria-describedby={form.hintId('password')}>
      <p id={form.hintId('password')} role={problem ? 'alert' : undefined}>
        <strong>The password of “{backup}” is not remembered on this computer.</strong>{' '}
        {problem ? <span className="sch-warning-problem">{problem}</span> : 'The backup is encrypted and a scheduled run has nobody to type it, so an enabled schedule cannot be saved. Remember it, or turn off Enabled.'}
      </p>
      <button type="button" className="button" aria-label={`Remember the password of ${backup}`} disabled={form.busy} onClick={onRemember}>
        Remember password…
      </button>
    </div>
  );
}
