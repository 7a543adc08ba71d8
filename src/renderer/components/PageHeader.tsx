import type { ReactNode } from 'react';

interface Props {
  title: string;
  description: string;
  /** Buttons on the right. */
  actions?: ReactNode;
  /** A short live status ("Refreshing…"); its space is always reserved. */
  status?: string | null;
}

export function PageHeader({ title, description, actions, status }: Props) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        <p className="muted">{description}</p>
      </div>
      <div className="page-actions">
        <span className="page-status muted" role="status">
          {status ?? ''}
        </span>
        {actions}
      </div>
    </header>
  );
}
