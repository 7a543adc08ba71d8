import './status-card.css';

interface Props {
  /** The SVG path drawn in a 16×16 box. */
  path: string;
  /** The page's tone class (its colours). */
  className: string;
}

/** The round state icon at the start of a status card; decorative (the card says its state in words). */
export function StatusIcon({ path, className }: Props) {
  return (
    <span className={`status-icon ${className}`} aria-hidden="true">
      <svg viewBox="0 0 16 16" width="16" height="16">
        <path d={path} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </span>
  );
}
