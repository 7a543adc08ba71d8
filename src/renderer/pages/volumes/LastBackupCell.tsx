import { formatDate, relativeTime } from '../../../shared/format.ts';

/** When a volume was last backed up (relative, local time on hover) and into which backup. */
export function LastBackupCell({ last }: { last: { at: string; backup: string } | null }) {
  if (!last) return <span className="muted">Never</span>;
  const local = formatDate(last.at);
  return (
    <div className="stack">
      <time dateTime={last.at} title={local}>
        {relativeTime(last.at) ?? local}
      </time>
      <span className="muted small">in {last.backup}</span>
    </div>
  );
}
