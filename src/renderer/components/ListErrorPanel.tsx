import { StatePanel } from './StatePanel.tsx';

interface Props {
  /** What the page lists, e.g. "jobs": the panel says "Cannot list jobs". */
  what: string;
  error: string;
  /** A load is under way: Retry waits for it. */
  loading: boolean;
  onRetry(): void;
}

/** Stands in for a list that could not be loaded at all: why, and Retry. */
export function ListErrorPanel({ what, error, loading, onRetry }: Props) {
  return (
    <StatePanel kind="error" title={`Cannot list ${what}`}>
      <p className="error-message">{error}</p>
      <button type="button" className="button button-primary" onClick={onRetry} disabled={loading}>
        Retry
      </button>
    </StatePanel>
  );
}
