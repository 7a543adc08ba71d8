import { useId, useState, type Ref } from 'react';

interface Props {
  label: string;
  value: string;
  onChange(value: string): void;
  /** Shown under the field and announced; the field is marked invalid. */
  error?: string | null;
  hint?: string;
  autoComplete?: 'current-password' | 'new-password';
  disabled?: boolean;
  inputRef?: Ref<HTMLInputElement>;
}

/** A labelled password input with Show/Hide and an inline error. */
export function PasswordField({ label, value, onChange, error, hint, autoComplete = 'current-password', disabled, inputRef }: Props) {
  const id = useId();
  const [visible, setVisible] = useState(false);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="br-field">
      <label htmlFor={id} className="br-field-label">
        {label}
      </label>
      <div className="br-password-row">
        <input
          ref={inputRef}
          id={id}
          className="br-input"
          type={visible ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete={autoComplete}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
          disabled={disabled}
        />
        <button
          type="button"
          className="button br-button-quiet"
          onClick={() => setVisible((v) => !v)}
          aria-label={`${visible ? 'Hide' : 'Show'} ${label.toLowerCase()}`}
          disabled={disabled}
        >
          {visible ? 'Hide' : 'Show'}
        </button>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="muted small">
          {hint}
        </p>
      )}
      <p id={`${id}-error`} className="br-field-error" role="alert">
        {error ?? ''}
      </p>
    </div>
  );
}
