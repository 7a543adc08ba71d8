import { useVolumesStore } from '../../state/volumes-store.ts';
import { CheckList } from './CheckList.tsx';
import type { EditorForm } from './use-editor-form.tsx';

interface Props {
  form: EditorForm;
  onToggle(name: string, on: boolean): void;
}

/** The volumes to back up: a checkbox for each volume of the engine, and for each chosen one it no longer has. */
export function VolumeChoices({ form, onToggle }: Props) {
  const { draft, busy, id } = form;
  const { volumes, error: volumesError, loading: volumesLoading, load: loadVolumes } = useVolumesStore();
  const listed = volumes ?? [];
  const missing = draft.volumes.filter((v) => !listed.some((l) => l.name === v));
  if (!volumes && !volumesError) {
    return (
      <p className="sch-choices-state muted" role="status">
        Loading volumes…
      </p>
    );
  }
  if (!volumes && volumesError) {
    return (
      <div className="sch-choices-state" role="alert">
        <span className="sch-error-text">Could not list the volumes: {volumesError}</span>{' '}
        <button type="button" className="link-button" onClick={() => void loadVolumes()} disabled={volumesLoading}>
          Try again
        </button>
      </div>
    );
  }
  if (!listed.length && !missing.length) return <p className="sch-choices-state muted">There are no Docker volumes on this engine.</p>;
  const items = [
    ...listed.map((v) => ({ name: v.name, note: v.usedBy.length ? `used by ${v.usedBy.map((u) => u.name).join(', ')}` : '' })),
    ...missing.map((name) => ({ name, note: 'not found on this engine' })),
  ];
  return (
    <CheckList
      className="sch-choices sch-volume-choices"
      items={items}
      noteId={(name) => `${id}-vol-${name}`}
      noteTitles
      checked={(name) => draft.volumes.includes(name)}
      disabled={busy}
      onChange={onToggle}
    />
  );
}
