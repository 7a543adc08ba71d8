import { useId, type ReactNode } from 'react';

interface Props {
  name: string;
  value?: string;
  checked: boolean;
  disabled?: boolean;
  onChoose(): void;
  /** The radio's accessible name. */
  title: ReactNode;
  /** Read as its description. */
  description?: ReactNode;
  /** On the right, also part of the description. */
  side?: ReactNode;
}

/** A radio button drawn as a card: the whole card is clickable, its title names it, the rest describes it. */
export function Choice({ name, value, checked, disabled, onChoose, title, description, side }: Props) {
  const id = useId();
  const described = [description ? `${id}-desc` : '', side ? `${id}-side` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <label className={disabled ? 'br-choice br-is-disabled' : 'br-choice'}>
      <input
        type="radio"
        name={name}
        value={value}
        checked={checked}
        disabled={disabled}
        onChange={onChoose}
        aria-labelledby={`${id}-title`}
        aria-describedby={described}
      />
      <span className="br-choice-text">
        <span className="br-choice-title br-wrap" id={`${id}-title`}>
          {title}
        </span>
        {description && (
          <span className="muted small" id={`${id}-desc`}>
            {description}
          </span>
        )}
      </span>
      {side && (
        <span className="br-choice-side small" id={`${id}-side`}>
          {side}
        </span>
      )}
    </label>
  );
}
