import type { VolumeDto } from '../../../shared/api/dto.ts';
import { formatBytes } from '../../../shared/format.ts';
import { LastBackupCell } from './LastBackupCell.tsx';
import { UsedByCell } from './UsedByCell.tsx';
import type { VolumeGroup } from './volume-list.ts';
import './volumes.css';

interface Props {
  /** The volumes to show, grouped by Compose stack (see volume-list.ts). */
  groups: VolumeGroup[];
  /** Opens the backup dialog for a volume. */
  onBackUp?(volume: VolumeDto): void;
  /** Opens the backup dialog for a whole stack. */
  onBackUpStack?(stack: string): void;
  /** Opens the file browser of a volume. */
  onBrowse?(volume: VolumeDto): void;
  /** Volumes ticked to be backed up together. */
  selected?: ReadonlySet<string>;
  onSelect?(names: string[], on: boolean): void;
}

export function VolumesTable({ groups, onBackUp, onBackUpStack, onBrowse, selected, onSelect }: Props) {
  const actions = !!(onBackUp || onBrowse);
  const columns = 5 + Number(!!onSelect) + Number(actions);
  const showHeadings = groups.some((g) => g.stack !== null);
  return (
    <div className="table-frame volumes-frame">
      <table className="data-table volumes-table" aria-label="Volumes">
        <colgroup>
          {onSelect && <col className="col-select" />}
          <col className="col-name" />
          <col className="col-driver" />
          <col className="col-size" />
          <col className="col-used" />
          <col className="col-last" />
          {actions && <col className="col-actions" />}
        </colgroup>
        <thead>
          <tr>
            {onSelect && (
              <th scope="col">
                <span className="sr-only">Selected</span>
              </th>
            )}
            <th scope="col">Name</th>
            <th scope="col">Driver</th>
            <th scope="col" className="numeric">
              Size
            </th>
            <th scope="col">Used by</th>
            <th scope="col">Last backup</th>
            {actions && (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        {groups.map((g) => (
          <tbody key={g.stack ?? ''} aria-label={g.stack !== null ? `Stack ${g.stack}` : 'Not in a stack'}>
            {showHeadings && (
              <tr className="volume-group">
                <th scope="rowgroup" colSpan={columns - (g.stack !== null && onBackUpStack ? 1 : 0)}>
                  {g.stack !== null ? (
                    <>
                      <span className="group-kind">Stack</span> {g.stack}
                    </>
                  ) : (
                    'Not in a stack'
                  )}
                  <span className="muted"> · {g.volumes.length === 1 ? '1 volume' : `${g.volumes.length} volumes`}</span>
                </th>
                {g.stack !== null && onBackUpStack && (
                  <td className="row-actions">
                    <button type="button" className="button button-small" aria-label={`Back up stack ${g.stack}`} onClick={() => onBackUpStack(g.stack!)}>
                      Back up stack
                    </button>
                  </td>
                )}
              </tr>
            )}
            {g.volumes.map((v) => (
              <tr key={v.name} className={selected?.has(v.name) ? 'is-selected' : undefined}>
                {onSelect && (
                  <td className="row-select">
                    <input type="checkbox" aria-label={`Select ${v.name}`} checked={!!selected?.has(v.name)} onChange={(e) => onSelect([v.name], e.target.checked)} />
                  </td>
                )}
                <th scope="row" className="volume-name">
                  {v.name}
                </th>
                <td>{v.driver}</td>
                <td className="numeric">{v.size === null ? <span className="muted">unknown</span> : formatBytes(v.size)}</td>
                <td>
                  <UsedByCell users={v.usedBy} />
                </td>
                <td>
                  <LastBackupCell volume={v} />
                </td>
                {actions && (
                  <td className="row-actions">
                    {onBrowse && (
                      <button type="button" className="button button-small" aria-label={`Browse files of ${v.name}`} onClick={() => onBrowse(v)}>
                        Files
                      </button>
                    )}
                    {onBackUp && (
                      <button type="button" className="button button-small" aria-label={`Back up ${v.name}`} onClick={() => onBackUp(v)}>
                        Back up
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
