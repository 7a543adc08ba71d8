import type { VolumeDto } from '../../../shared/api/dto.ts';
import { formatBytes } from '../../../shared/format.ts';
import { LastBackupCell } from './LastBackupCell.tsx';
import { UsedByCell } from './UsedByCell.tsx';
import './volumes.css';

interface Props {
  volumes: VolumeDto[];
  /** Opens the backup dialog for a volume. */
  onBackUp?(volume: VolumeDto): void;
}

export function VolumesTable({ volumes, onBackUp }: Props) {
  return (
    <div className="table-frame">
      <table className="data-table volumes-table" aria-label="Volumes">
        <colgroup>
          <col className="col-name" />
          <col className="col-driver" />
          <col className="col-size" />
          <col className="col-used" />
          <col className="col-last" />
          {onBackUp && <col className="col-actions" />}
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Driver</th>
            <th scope="col" className="numeric">
              Size
            </th>
            <th scope="col">Used by</th>
            <th scope="col">Last backup</th>
            {onBackUp && (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {volumes.map((v) => (
            <tr key={v.name}>
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
              {onBackUp && (
                <td className="row-actions">
                  <button type="button" className="button button-small" aria-label={`Back up ${v.name}`} onClick={() => onBackUp(v)}>
                    Back up
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
