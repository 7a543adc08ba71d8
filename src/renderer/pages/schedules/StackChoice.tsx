import type { VolumeDto } from '../../../shared/api/dto.ts';
import type { EditorForm } from './use-editor-form.tsx';

interface Props {
  form: EditorForm;
  /** The stacks the engine's volumes belong to now, by name. */
  stacks: string[];
  volumes: readonly VolumeDto[];
  onChoose(stack: string): void;
}

/** A Compose stack to back up: which one, the volumes it has now, and what each run does with it. */
export function StackChoice({ form, stacks, volumes, onChoose }: Props) {
  const { draft, fieldId, hintId, reg, invalid, busy, shown } = form;
  const options = draft.stack && !stacks.includes(draft.stack) ? [...stacks, draft.stack] : stacks;
  const now = volumes.filter((v) => v.stack === draft.stack).map((v) => v.name);
  const problem = shown('stack');
  return (
    <div className="field">
      <label className="field-label" htmlFor={fieldId('stack')}>
        Stack
      </label>
      <select
        ref={reg('stack')}
        id={fieldId('stack')}
        className="select-input sch-input"
        value={draft.stack}
        aria-invalid={invalid('stack')}
        aria-describedby={hintId('stack')}
        disabled={busy}
        onChange={(e) => onChoose(e.target.value)}
      >
        {!draft.stack && <option value="">Choose a stack…</option>}
        {options.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <div id={hintId('stack')}>
        {problem ? (
          <p className="field-hint field-error">{problem}</p>
        ) : (
          draft.stack && (
            <p className="field-hint sch-stack-volumes">
              {now.length ? `Its volumes now: ${now.join(', ')}.` : 'It has no volumes on this engine now.'}
            </p>
          )
        )}
        <p className="field-hint">
          Each run backs up the volumes the stack has at that time, as one version, and stops its running containers in dependency order for a consistent copy, starting them again
          afterwards.
        </p>
      </div>
    </div>
  );
}
