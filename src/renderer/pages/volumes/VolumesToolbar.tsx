import { useId } from 'react';
import { SORT_LABELS, type VolumeSort } from './volume-list.ts';

interface Props {
  query: string;
  onQuery(query: string): void;
  sort: VolumeSort;
  onSort(sort: VolumeSort): void;
  /** Names of the ticked volumes. */
  selected: string[];
  /** Names of the volumes the search leaves shown. */
  shown: string[];
  onSelect(names: string[], on: boolean): void;
  onBackUpSelected(): void;
}

/** Search, sort and the selection's actions above the Volumes table. */
export function VolumesToolbar({ query, onQuery, sort, onSort, selected, shown, onSelect, onBackUpSelected }: Props) {
  const searchId = useId();
  const sortId = useId();
  const allShown = shown.length > 0 && shown.every((n) => selected.includes(n));
  return (
    <div className="volumes-toolbar" role="toolbar" aria-label="Volumes">
      <div className="toolbar-field">
        <label htmlFor={searchId} className="sr-only">
          Search volumes
        </label>
        <input
          id={searchId}
          type="search"
          className="text-input"
          placeholder="Search volumes, stacks, containers"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
        />
      </div>
      <div className="toolbar-field">
        <label htmlFor={sortId}>Sort by</label>
        <select id={sortId} className="select-input" value={sort} onChange={(e) => onSort(e.target.value as VolumeSort)}>
          {(Object.keys(SORT_LABELS) as VolumeSort[]).map((k) => (
            <option key={k} value={k}>
              {SORT_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      <label className="check-row toolbar-all">
        <input type="checkbox" checked={allShown} disabled={!shown.length} onChange={(e) => onSelect(shown, e.target.checked)} />
        <span>Select all shown</span>
      </label>
      <div className="toolbar-actions">
        <span className="muted" aria-live="polite">
          {selected.length ? `${selected.length} selected` : ''}
        </span>
        <button type="button" className="button button-primary" disabled={!selected.length} onClick={onBackUpSelected}>
          {selected.length > 1 ? `Back up ${selected.length} together` : 'Back up selected'}
        </button>
      </div>
    </div>
  );
}
