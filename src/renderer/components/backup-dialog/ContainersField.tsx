import { useId } from 'react';
import type { VolumeUserDto } from '../../../shared/api/dto.ts';

interface Props {
  users: VolumeUserDto[];
  selected: ReadonlySet<string>;
  disabled?: boolean;
  onChange(selected: Set<string>): void;
}

const runningFirst = (a: VolumeUserDto, b: VolumeUserDto) => Number(b.running) - Number(a.running) || a.name.localeCompare(b.name);

/** The containers that use the volume; the checked ones are stopped during the backup and started again after. */
export function ContainersField({ users, selected, disabled, onChange }: Props) {
  const hintId = useId();
  const toggle = (name: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(name);
    else next.delete(name);
    onChange(next);
  };
  return (
    <fieldset className="field containers-field" aria-describedby={hintId}>
      <legend className="field-label">Stop during the backup</legend>
      <p id={hintId} className="field-hint">
        {users.length
          ? 'For databases and apps that write to this volume: stopping them gives a consistent copy. They start again afterwards.'
          : 'No container uses this volume, so nothing needs stopping.'}
      </p>
      {users.length > 0 && (
        <ul className="container-choices">
          {users.toSorted(runningFirst).map((u) => (
            <li key={u.name}>
              <label className={`check-row${!u.running ? ' is-disabled' : ''}`} title={u.running ? undefined : `${u.name} is not running: nothing to stop`}>
                <input
                  type="checkbox"
                  checked={u.running && selected.has(u.name)}
                  disabled={disabled || !u.running}
                  onChange={(e) => toggle(u.name, e.target.checked)}
                />
                <span className="container-choice-name">{u.name}</span>
                <span className={`container-state ${u.running ? 'is-running' : ''}`}>{u.running ? 'running' : 'not running'}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
