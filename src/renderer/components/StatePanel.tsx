import type { ReactNode } from 'react';

interface Props {
  kind: 'loading' | 'empty' | 'error';
  title: string;
  children?: ReactNode;
}

/** The one box that stands in for a table while it is loading, empty or failed. */
export function StatePanel({ kind, title, children }: Props) {
  return (
    <section className={`state-panel state-${kind}`} role={kind === 'error' ? 'alert' : 'status'} aria-label={title}>
      {kind === 'loading' && <span className="spinner" aria-hidden="true" />}
      <h2>{title}</h2>
      {children}
    </section>
  );
}
