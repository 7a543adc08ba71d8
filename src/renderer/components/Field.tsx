import type { ReactNode } from 'react';
import './form-fields.css';

interface Props {
  /** The control's id: the label points to it, and `${id}-note` is the note's. */
  id: string;
  label: ReactNode;
  /** What the field is for; the error takes its place (one line kept for either, so nothing moves). */
  hint?: ReactNode;
  error?: string | null;
  /** Next to the label, e.g. a Show/Hide toggle. */
  aside?: ReactNode;
  className?: string;
  children: ReactNode;
}

/** The id of the note under a field, for the control's aria-describedby. */
export const noteId = (id: string) => `${id}-note`;

/**
 * One form field: label, control, and a note that is the hint or, in its
 * place, the error (announced). Every form uses it, so fields look and read
 * the same everywhere.
 */
export function Field({ id, label, hint, error, aside, className, children }: Props) {
  const labelEl = (
    <label className="field-label" htmlFor={id}>
      {label}
    </label>
  );
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      {aside ? (
        <div className="field-label-row">
          {labelEl}
          {aside}
        </div>
      ) : (
        labelEl
      )}
      {children}
      <p id={noteId(id)} className={`field-hint${error ? ' field-error' : ''}`} role={error ? 'alert' : undefined}>
        {error || hint}
      </p>
    </div>
  );
}
