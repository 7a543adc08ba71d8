import type { VolumeUserDto } from '../../../shared/api/dto.ts';

/** Running containers first, then by name. */
function byState(a: VolumeUserDto, b: VolumeUserDto): number {
  return Number(b.running) - Number(a.running) || a.name.localeCompare(b.name);
}

/** The containers that mount a volume, each marked running or stopped. */
export function UsedByCell({ users }: { users: VolumeUserDto[] }) {
  if (!users.length) return <span className="muted">Not in use</span>;
  return (
    <ul className="containers">
      {users.toSorted(byState).map((u) => {
        const state = u.running ? 'running' : 'stopped';
        return (
          <li key={u.name} title={`${u.name} is ${state}`}>
            <span className={`dot dot-${state}`} aria-hidden="true" />
            <span className="container-name">{u.name}</span>
            <span className="sr-only"> ({state})</span>
          </li>
        );
      })}
    </ul>
  );
}
