import type { ReactNode } from 'react';
import { PageHeader } from './PageHeader.tsx';
import { RefreshFailedBanner } from './RefreshFailedBanner.tsx';

interface Props {
  title: string;
  description: string;
  loading: boolean;
  /** Something was loaded before: a failed refresh then shows as a banner above it. */
  hasData: boolean;
  error: string | null;
  onRefresh(): void;
  children: ReactNode;
}

/**
 * The frame of a page that lists something from the engine: header with a
 * Refresh button and a quiet "Refreshing…" status, and a banner when a refresh
 * fails while older data is still shown.
 */
export function ListPage({ title, description, loading, hasData, error, onRefresh, children }: Props) {
  return (
    <>
      <PageHeader
        title={title}
        description={description}
        actions={
          <button type="button" className="button" onClick={onRefresh} disabled={loading}>
            Refresh
          </button>
        }
        status={loading && hasData ? 'Refreshing…' : null}
      />
      {hasData && error && <RefreshFailedBanner error={error} loading={loading} onRetry={onRefresh} />}
      {children}
    </>
  );
}
