import { STEPS, type StepId } from '../../state/restore-store.ts';
import { CheckIcon } from '../../components/icons.tsx';

interface Props {
  /** null once the restore has started: every step is done. */
  current: StepId | null;
  passwordNote: string | null;
}

/** The wizard's steps by name; the current one is marked (aria-current="step"). */
export function StepList({ current, passwordNote }: Props) {
  const currentIndex = current ? STEPS.findIndex((s) => s.id === current) : STEPS.length;
  return (
    <ol className="br-wizard-steps" aria-label="Restore steps">
      {STEPS.map((step, i) => {
        const state = i < currentIndex ? 'done' : i === currentIndex ? 'current' : 'todo';
        const note = step.id === 'password' ? passwordNote : null;
        return (
          <li key={step.id} className={`br-wizard-step br-step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span className="br-step-marker" aria-hidden="true">
              {state === 'done' ? <CheckIcon /> : i + 1}
            </span>
            <span className="br-step-text">
              <span className="br-step-label">{step.label}</span>
              {note && <span className="br-step-note">{note}</span>}
              {state === 'done' && <span className="sr-only"> (done)</span>}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
