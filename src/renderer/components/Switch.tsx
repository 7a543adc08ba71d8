import { useId, type ReactNode } from 'react';
import './form-fields.css';
import './Switch.css';

interface Props {
  /** Shown next to the switch; its accessible name unless `name` is given. */
  label: ReactNode;
  /** The accessible name when it should say more than the label (it must contain the label's words). */
  name?: string;
  /** Under the label; the switch's accessible description. */
  description?: ReactNode;
  checked: boolean;
  disabled?: boolean;
  /** A small, quiet label beside the switch, for a row of actions (e.g. "Enabled" on a card). */
  compact?: boolean;
  onChange(checked: boolean): void;
}

/** An on/off switch: a native checkbox with role=switch, so Space toggles it and it has a name. */
export function Switch({ label, name, description, checked, disabled, compact, onChange }: Props) {
  const labelId = useId();
  const descriptionId = useId();
  return (
    <label className={`switch${disabled ? ' is-disabled' : ''}${compact ? ' is-compact' : ''}`}>
      <span className="switch-control">
        <input
          type="checkbox"
          role="switch"
          className="switch-input"
          checked={checked}
          disabled={disabled}
          aria-checked={checked}
          aria-label={name}
          aria-labelledby={name ? undefined : labelId}
          aria-describedby={description ? descriptionId : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
      </span>
      <span className="switch-text">
        <span id={labelId} className="field-label">
          {label}
        </span>
        {description && (
          <span id={descriptionId} className="field-hint">
            {description}
          </span>
        )}
      </span>
    </label>
  );
}
