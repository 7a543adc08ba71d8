interface Props {
  error: string;
  /** A load is under way: Retry waits for it. */
  loading: boolean;
  onRetry(): void;
}

/** Above a list that is still shown from before: its refresh failed, and Retry. */
export function RefreshFailedBanner({ error, loading, onRetry }: Props) {
  return (
    <div className="banner banner-error" role="alert">
      <p>Could not refresh the list: {error}</p>
      <button type="button" className="button" onClick={onRetry} disabled={loading}>
        Retry
      </button>
    </div>
  );
}
