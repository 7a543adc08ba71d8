import { useId, useState, type ReactNode, type Ref } from 'react';
import { Field, noteId } from './Field.tsx';

interface Props {
  label: string;
  /** Absent: the input is uncontrolled, so a secret is never written back into the page's markup. */
  value?: string;
  onChange(value: string): void;
  hint?: ReactNode;
  error?: string | null;
  autoComplete?: 'current-password' | 'new-password' | 'off';
  disabled?: boolean;
  placeholder?: string;
  id?: string;
  inputRef?: Ref<HTMLInputElement>;
  /** Focused when its dialog opens. */
  autoFocus?: boolean;
  /** More ids describing the input (e.g. a strength meter). */
  describedBy?: string;
  inputClassName?: string;
  onBlur?(): void;
  /**
   * Shown as text. Given, the owner decides (a password and its confirmation
   * share one toggle); absent, the field's own Show/Hide does.
   */
  shown?: boolean;
  /** The owner's Show/Hide; false for a field shown by another field's toggle. */
  onToggleShown?: (() => void) | false;
  /** What the toggle names: "Show password", "Show key". */
  secretWord?: string;
}

/** A labelled password input with one Show/Hide toggle style and its hint or error under it. */
export function PasswordField(props: Props) {
  const { label, value, onChange, hint, error, autoComplete = 'current-password', disabled, placeholder, inputRef, autoFocus, describedBy, inputClassName, onBlur } = props;
  const ownId = useId();
  const id = props.id ?? ownId;
  const [ownShown, setOwnShown] = useState(false);
  const shown = props.shown ?? ownShown;
  const toggle = props.onToggleShown === false ? null : (props.onToggleShown ?? (() => setOwnShown((v) => !v)));
  const word = props.secretWord ?? 'password';
  return (
    <Field
      id={id}
      label={label}
      hint={hint}
      error={error}
      aside={
        toggle && (
          <button type="button" className="link-button" aria-pressed={shown} onClick={toggle} disabled={disabled}>
            {shown ? `Hide ${word}` : `Show ${word}`}
          </button>
        )
      }
    >
      <input
        ref={inputRef}
        id={id}
        className={`text-input${inputClassName ? ` ${inputClassName}` : ''}`}
        type={shown ? 'text' : 'password'}
        {...(value !== undefined ? { value } : {})}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        placeholder={placeholder}
        autoComplete={autoComplete}
        spellCheck={false}
        data-autofocus={autoFocus || undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={[noteId(id), describedBy].filter(Boolean).join(' ')}
        disabled={disabled}
      />
    </Field>
  );
}
