import { useEffect, useId } from 'react';
import { choiceLabel, choiceOf, useTargetsStore, type TargetKey } from '../state/targets-store.ts';
import './form-fields.css';
import './target-picker.css';

interface Props {
  /** The chosen store ('' the default). */
  value: TargetKey;
  onChange(value: TargetKey): void;
  disabled?: boolean;
  /** The label above the select, as a form field (the restore wizard); else beside it. */
  stacked?: boolean;
}

/**
 * Which storage target's backups a page shows. Shown only when there is more
 * than one store to choose from: with one, there is nothing to pick.
 */
export function TargetPicker({ value, onChange, disabled = false, stacked = false }: Props) {
  const id = useId();
  const choices = useTargetsStore((s) => s.choices);

  useEffect(() => {
    const stop = useTargetsStore.getState().watch();
    void useTargetsStore.getState().load();
    return stop;
  }, []);

  // The chosen target was removed (in Settings, or by the CLI): back to the default store.
  const gone = !!choices && value !== '' && !choices.some((c) => c.value === value);
  useEffect(() => {
    if (gone) onChange('');
  }, [gone, onChange]);

  if (!choices || choices.length < 2) return null;
  const current = choiceOf(choices, value);
  return (
    <div className={stacked ? 'target-picker is-stacked' : 'target-picker'}>
      <label className="field-label" htmlFor={id}>
        Storage target
      </label>
      <select id={id} className="select-input" value={current?.value ?? ''} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {choiceLabel(c)}
          </option>
        ))}
      </select>
    </div>
  );
}
