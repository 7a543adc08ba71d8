import type { LastBackupDto, VolumeDto } from '../../../shared/api/dto.ts';
import { formatDate, relativeTime } from '../../../shared/format.ts';
import './last-backup.css';

type Props = { volume: Pick<VolumeDto, 'lastBackup' | 'lastBackups' | 'lastBackupUnknown'> };

const storeName = (target: string | null) => target ?? 'the default store';

/**
 * When a volume was last backed up (relative, local time on hover) and into
 * which backup: on each storage target that holds one, newest first, the
 * target named once there is more than one store; and the targets that could
 * not be read, since the volume's last backup there is unknown.
 */
export function LastBackupCell({ volume }: Props) {
  const unknown = volume.lastBackupUnknown ?? [];
  const all: LastBackupDto[] = volume.lastBackups ?? (volume.lastBackup ? [{ ...volume.lastBackup, target: volume.lastBackup.target ?? null }] : []);
  const named = unknown.length > 0 || all.some((l) => l.target !== null);
  const [newest, ...others] = all;
  return (
    <div className="stack">
      {newest ? (
        <>
          <When at={newest.at} />
          <span className="muted small">
            in {newest.backup}
            {named && ` on ${storeName(newest.target)}`}
          </span>
        </>
      ) : (
        <span className="muted">{unknown.length ? 'None found' : 'Never'}</span>
      )}
      {others.map((l) => (
        <span key={l.target ?? ''} className="muted small">
          <When at={l.at} /> in {l.backup} on {storeName(l.target)}
        </span>
      ))}
      {unknown.map((u) => (
        <span key={u.target ?? ''} className="small last-backup-unknown" title={`${storeName(u.target)} could not be read: ${u.error}`}>
          Unknown on {storeName(u.target)}
        </span>
      ))}
    </div>
  );
}

function When({ at }: { at: string }) {
  const local = formatDate(at);
  return (
    <time dateTime={at} title={local}>
      {relativeTime(at) ?? local}
    </time>
  );
}
