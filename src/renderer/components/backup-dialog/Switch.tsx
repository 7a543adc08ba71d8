import { useId, type ReactNode } from 'react';

interface Props {
  label: string;
  /** Shown under the label; the switch's accessible description. */
  description?: ReactNode;
  checked: boolean;
  disabled?: boolean;
  onChange(checked: boolean): void;
}

/** An on/off switch: a native checkbox with role=switch (Space toggles it), named by `label` only. */
export function Switch({ label, description, checked, disabled, onChange }: Props) {
  const labelId = useId();
  const descriptionId = useId();
  return (
    <label className={`switch-row${disabled ? ' is-disabled' : ''}`}>
      <span className="switch-control">
        <input
          type="checkbox"
          role="switch"
          className="switch-input"
          checked={checked}
          disabled={disabled}
          aria-checked={checked}
          aria-labelledby={labelId}
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
