import './ProgressBar.css';

export type ProgressTone = 'active' | 'success' | 'danger' | 'muted';

interface Props {
  /** The accessible name, e.g. the job's title. */
  label: string;
  /** 0–100, or null while the total is unknown (an indeterminate bar). */
  percent: number | null;
  /** What a screen reader says instead of just the number, e.g. "45%, 12 MiB of 27 MiB". */
  valueText?: string;
  tone?: ProgressTone;
}

/** A thin progress bar; `role=progressbar` with aria-valuenow in percent. */
export function ProgressBar({ label, percent, valueText, tone = 'active' }: Props) {
  const value = percent === null ? null : Math.round(Math.min(100, Math.max(0, percent)));
  return (
    <div
      className={`progress progress-${tone}${value === null ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value ?? undefined}
      aria-valuetext={valueText}
    >
      <div className="progress-fill" style={value === null ? undefined : { transform: `scaleX(${value / 100})` }} />
    </div>
  );
}
