import { useId, type ReactNode } from 'react';

interface Props {
  /** Shown next to the switch. */
  label: ReactNode;
  /** The accessible name when it should say more than the label (it must contain the label's words). */
  name?: string;
  /** Under the label; the switch's accessible description. */
  description?: ReactNode;
  checked: boolean;
  disabled?: boolean;
  /** Shown but not announced as part of the name (e.g. "On" / "Off"). */
  compact?: boolean;
  onChange(checked: boolean): void;
}

/** An on/off switch: a native checkbox with role=switch, so Space toggles it and it has a name. */
export function Toggle({ label, name, description, checked, disabled, compact, onChange }: Props) {
  const labelId = useId();
  const descriptionId = useId();
  return (
    <label className={`sch-switch${disabled ? ' is-disabled' : ''}${compact ? ' is-compact' : ''}`}>
      <span className="sch-switch-control">
        <input
          type="checkbox"
          role="switch"
          className="sch-switch-input"
          checked={checked}
          disabled={disabled}
          aria-checked={checked}
          aria-label={name}
          aria-labelledby={name ? undefined : labelId}
          aria-describedby={description ? descriptionId : undefined}
          onChange={(e) => onChange(e.target.checked)}
        />
        <span className="sch-switch-track" aria-hidden="true">
          <span className="sch-switch-thumb" />
        </span>
      </span>
      <span className="sch-switch-text">
        <span id={labelId} className="sch-switch-label">
          {label}
        </span>
        {description && (
          <span id={descriptionId} className="sch-hint">
            {description}
          </span>
        )}
      </span>
    </label>
  );
}
