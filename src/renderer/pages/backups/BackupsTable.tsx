import { Fragment, useState } from 'react';
import type { BackupDto } from '../../../shared/api/dto.ts';
import { formatBytes, formatDate, when } from '../../../shared/format.ts';
import { useBackupsStore } from '../../state/backups-store.ts';
import { DeleteDialog } from './DeleteDialog.tsx';
import { ChevronIcon, LockIcon, OpenLockIcon, WarningIcon } from '../../components/icons.tsx';
import { VersionsPanel } from './VersionsPanel.tsx';

const COLUMNS = 6;

/** Every backup in the store; a backup's name opens its versions below its row. */
export function BackupsTable({ backups }: { backups: BackupDto[] }) {
  const expanded = useBackupsStore((s) => s.expanded);
  const toggle = useBackupsStore((s) => s.toggle);
  const [deleting, setDeleting] = useState<BackupDto | null>(null);

  return (
    <div className="table-frame">
      <table className="data-table br-backups-table" aria-label="Backups">
        <colgroup>
          <col className="br-bcol-name" />
          <col className="br-bcol-latest" />
          <col className="br-bcol-size" />
          <col className="br-bcol-versions" />
          <col className="br-bcol-encrypted" />
          <col className="br-bcol-volume" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Backup name</th>
            <th scope="col">Latest version</th>
            <th scope="col" className="numeric" title="Space the backup takes in the store">
              Size
            </th>
            <th scope="col" className="numeric">
              Versions
            </th>
            <th scope="col">Encrypted</th>
            <th scope="col">Volume</th>
          </tr>
        </thead>
        <tbody>
          {backups.map((b) => {
            if (b.damaged) {
              return (
                <tr key={b.name} className="br-damaged-row">
                  <th scope="row" className="br-backup-name-cell">
                    <span className="br-backup-name br-plain">{b.name}</span>
                  </th>
                  <td colSpan={COLUMNS - 1}>
                    <div className="br-damaged">
                      <p>
                        <WarningIcon className="br-status-icon" />
                        <strong>Damaged:</strong> <span className="br-damaged-reason">{b.damaged}</span>
                      </p>
                      <button type="button" className="button br-button-small br-button-danger-quiet" onClick={() => setDeleting(b)} aria-label={`Delete damaged backup ${b.name}…`}>
                        Delete…
                      </button>
                    </div>
                  </td>
                </tr>
              );
            }
            const open = expanded.includes(b.name);
            const panelId = `versions-${cssId(b.name)}`;
            return (
              <Fragment key={b.name}>
                <tr className={open ? 'br-backup-row br-is-open' : 'br-backup-row'}>
                  <th scope="row" className="br-backup-name-cell">
                    <button type="button" className="br-disclosure" aria-expanded={open} aria-controls={open ? panelId : undefined} onClick={() => toggle(b.name)}>
                      <ChevronIcon className="br-chevron" />
                      <span className="br-backup-name">{b.name}</span>
                    </button>
                  </th>
                  <td>
                    {b.latest ? (
                      <time dateTime={b.latest.createdAt} title={formatDate(b.latest.createdAt)}>
                        {when(b.latest.createdAt)}
                      </time>
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                  <td className="numeric">{formatBytes(b.storedBytes)}</td>
                  <td className="numeric">{b.versions.toLocaleString()}</td>
                  <td>
                    <span className={b.encrypted ? 'br-encrypted br-yes' : 'br-encrypted br-no'}>
                      {b.encrypted ? <LockIcon /> : <OpenLockIcon />}
                      {b.encrypted ? 'Yes' : 'No'}
                    </span>
                  </td>
                  <td className="br-volume-list">{b.volumes.length ? b.volumes.join(', ') : <span className="muted">—</span>}</td>
                </tr>
                {open && (
                  <tr className="br-versions-row">
                    <td colSpan={COLUMNS} id={panelId}>
                      <VersionsPanel backup={b} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {deleting && (
        <DeleteDialog
          backup={deleting}
          onDelete={async () => {
            await useBackupsStore.getState().deleteBackup(deleting.name);
            setDeleting(null);
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </div>
  );
}

function cssId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}
