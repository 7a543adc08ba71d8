import type { Ref } from 'react';

interface Props {
  accepted: boolean;
  onChange(accepted: boolean): void;
  /** Show the problem (after a save or start was tried while unticked). */
  problem: string | null;
  hintId: string;
  inputRef?: Ref<HTMLInputElement>;
  disabled: boolean;
}

/**
 * The second yes a very weak new password needs (strength score 0), shared by
 * the backup dialog and the schedule editor.
 */
export function WeakPasswordConfirm({ accepted, onChange, problem, hintId, inputRef, disabled }: Props) {
  return (
    <div className="field weak-confirm">
      <label className="check-row">
        <input
          ref={inputRef}
          type="checkbox"
          checked={accepted}
          disabled={disabled}
          aria-invalid={problem ? true : undefined}
          aria-describedby={hintId}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span>Use this very weak password anyway</span>
      </label>
      <p id={hintId} className={`field-hint check-hint${problem ? ' field-error' : ''}`}>
        {problem ?? 'Anyone who gets a copy of the store could guess it quickly and read every version.'}
      </p>
    </div>
  );
}
