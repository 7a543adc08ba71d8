import { useEffect, useId } from 'react';
import { formatBytes } from '../../../shared/format.ts';
import { useRestoreStore, type TargetKind } from '../../state/restore-store.ts';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { WarningIcon } from '../../components/icons.tsx';
import { Choice } from './Choice.tsx';
import { suggestName, type WizardFacts } from './derive.ts';

/** Step 3: the original volume, a new one, or another existing one; replacing data needs an explicit yes. */
export function TargetStep({ facts }: { facts: WizardFacts }) {
  const s = useRestoreStore();
  const volumesError = useVolumesStore((v) => v.error);
  const newId = useId();
  const existingId = useId();
  const { target } = facts;
  const original = facts.sourceVolume;
  const others = facts.volumes?.filter((v) => v.name !== original) ?? [];
  const runningKey = target.runningUsers.map((u) => u.name).join('\n');

  // Running containers on the chosen target are offered for stopping, ticked.
  useEffect(() => {
    if (!facts.volumes || useRestoreStore.getState().stopFor === target.name) return;
    useRestoreStore.setState({ stopContainers: runningKey ? runningKey.split('\n') : [], stopFor: target.name });
  }, [facts.volumes, target.name, runningKey]);

  function choose(kind: TargetKind) {
    const patch: Parameters<typeof s.patch>[0] = { targetKind: kind };
    if (kind === 'new' && !s.newName) patch.newName = suggestName(original, facts.volumes);
    if (kind === 'existing' && !s.existingName && others[0]) patch.existingName = others[0].name;
    s.patch(patch);
  }

  if (!facts.volumes) {
    if (volumesError) {
      return (
        <div className="br-step-body" role="alert">
          <p className="error-message">Cannot list the Docker volumes: {volumesError}</p>
          <button type="button" className="button" onClick={() => void useVolumesStore.getState().load()}>
            Retry
          </button>
        </div>
      );
    }
    return (
      <div className="br-step-body">
        <p className="muted" role="status">
          Loading the Docker volumes…
        </p>
      </div>
    );
  }

  const originalExists = !!original && facts.volumes.some((v) => v.name === original);
  return (
    <div className="br-step-body">
      <fieldset className="br-fieldset">
        <legend className="br-field-label">Restore into</legend>
        <div className="br-choice-list">
          <Choice
            name="restore-target"
            checked={s.targetKind === 'original'}
            disabled={!original}
            onChoose={() => choose('original')}
            title={`The original volume${original ? `, ${original}` : ''}`}
            description={
              !original ? 'This version was not backed up from a volume.' : originalExists ? 'Its current contents are replaced.' : 'It no longer exists and will be created.'
            }
          />
          <Choice
            name="restore-target"
            checked={s.targetKind === 'new'}
            onChoose={() => choose('new')}
            title="A new volume"
            description="Created for this restore; nothing existing is touched."
          />
          <Choice
            name="restore-target"
            checked={s.targetKind === 'existing'}
            disabled={!others.length}
            onChoose={() => choose('existing')}
            title="Another existing volume"
            description={others.length ? 'Its current contents are replaced.' : 'There are no other volumes.'}
          />
        </div>
      </fieldset>

      {s.targetKind === 'new' && (
        <div className="br-field">
          <label htmlFor={newId} className="br-field-label">
            New volume name
          </label>
          <input
            id={newId}
            className="br-input br-input-name"
            value={s.newName}
            onChange={(e) => s.patch({ newName: e.target.value })}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={target.nameError ? true : undefined}
            aria-describedby={`${newId}-error`}
          />
          <p id={`${newId}-error`} className="br-field-error" role="alert">
            {s.newName.trim() ? (target.nameError ?? '') : ''}
          </p>
        </div>
      )}

      {s.targetKind === 'existing' && (
        <div className="br-field">
          <label htmlFor={existingId} className="br-field-label">
            Existing volume
          </label>
          <select id={existingId} className="br-select br-select-wide" value={s.existingName} onChange={(e) => s.patch({ existingName: e.target.value })}>
            {others.map((v) => (
              <option key={v.name} value={v.name}>
                {v.name}
                {v.empty === true ? ' (empty)' : v.size === null ? '' : ` (${formatBytes(v.size)})`}
              </option>
            ))}
          </select>
        </div>
      )}

      {target.needsConfirm && !target.nameError && (
        <div className="br-replace-warning" role="group" aria-label="Replace the volume's contents">
          <p className="br-with-icon">
            <WarningIcon className="br-status-icon" />
            <span>
              {target.contentsUnknown ? (
                <>
                  DVOM cannot tell whether <strong className="br-wrap">{target.name}</strong> holds data.{' '}
                </>
              ) : (
                <>
                  <strong className="br-wrap">{target.name}</strong> is not empty
                  {target.volume?.size ? ` (${formatBytes(target.volume.size)})` : ''}.{' '}
                </>
              )}
              Everything in it is deleted and replaced by the restored {s.what === 'selected' ? 'files and folders' : 'volume'}. The
              old contents are only removed once the restore has been verified.
            </span>
          </p>
          <label className="br-check">
            <input type="checkbox" checked={s.confirmReplace} onChange={(e) => s.patch({ confirmReplace: e.target.checked })} />
            Replace the contents of {target.name}
          </label>
        </div>
      )}

      {!target.nameError && (target.runningUsers.length > 0 || target.stoppedUsers.length > 0) && (
        <fieldset className="br-fieldset br-containers-box">
          <legend className="br-field-label">Containers using {target.name}</legend>
          {target.runningUsers.map((u) => (
            <label key={u.name} className="br-check">
              <input
                type="checkbox"
                checked={s.stopContainers.includes(u.name)}
                onChange={(e) =>
                  s.patch({ stopContainers: e.target.checked ? [...s.stopContainers, u.name] : s.stopContainers.filter((c) => c !== u.name) })
                }
              />
              Stop {u.name} during the restore
            </label>
          ))}
          {target.runningUsers.length > 0 && <p className="muted small">Stopped containers are started again when the restore ends.</p>}
          {target.stoppedUsers.length > 0 && (
            <p className="muted small br-wrap">Also used by {target.stoppedUsers.map((u) => u.name).join(', ')} (not running).</p>
          )}
        </fieldset>
      )}
    </div>
  );
}
