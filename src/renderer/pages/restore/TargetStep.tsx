import { useEffect, useId } from 'react';
import { formatBytes } from '../../../shared/format.ts';
import { useRestoreStore, type TargetKind } from '../../state/restore-store.ts';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { WarningIcon } from '../../components/icons.tsx';
import { Choice } from './Choice.tsx';
import { defaultMode, suggestName, type WizardFacts } from './derive.ts';

/**
 * Step 3: the original volume, a new one, another existing one, or a folder on
 * this computer; and, when it may hold data, whether the restored files are
 * added keeping the rest (the default for chosen files) or replace everything
 * (which needs an explicit yes).
 */
export function TargetStep({ facts }: { facts: WizardFacts }) {
  const s = useRestoreStore();
  const volumesError = useVolumesStore((v) => v.error);
  const newId = useId();
  const existingId = useId();
  const folderId = useId();
  const stopNoteId = useId();
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
    // No volume is preselected: restoring into one the user did not pick could only be a mistake.
    s.patch(patch);
  }

  if (!facts.volumes && s.targetKind !== 'folder') {
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

  const originalExists = !!original && !!facts.volumes?.some((v) => v.name === original);
  // What restoring into a volume that holds data does (the folder choice, always a merge, does not change it).
  const merging = (s.writeMode ?? defaultMode(s)) === 'merge';
  const picked = s.what === 'selected';
  const kept = 'everything else in it is kept.';
  const originalText = merging ? `${picked ? 'The chosen files are put back' : "The version's files are written into it"}; ${kept}` : 'Its current contents are replaced.';
  const existingText = merging ? `${picked ? 'The chosen files are added' : "The version's files are written into it"}; ${kept}` : 'Its current contents are replaced.';
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
              !original ? 'This version was not backed up from a volume.' : originalExists ? originalText : 'It no longer exists and will be created.'
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
            description={others.length ? existingText : 'There are no other volumes.'}
          />
          <Choice
            name="restore-target"
            checked={s.targetKind === 'folder'}
            onChoose={() => choose('folder')}
            title="A folder on this computer"
            description="On the machine DVOM runs on. Files already in it are kept."
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
            <option value="" disabled>
              Choose a volume…
            </option>
            {others.map((v) => (
              <option key={v.name} value={v.name}>
                {v.name}
                {v.empty === true ? ' (empty)' : v.size === null ? '' : ` (${formatBytes(v.size)})`}
              </option>
            ))}
          </select>
        </div>
      )}

      {s.targetKind === 'folder' && (
        <div className="br-field">
          <label htmlFor={folderId} className="br-field-label">
            Folder
          </label>
          <input
            id={folderId}
            className="br-input br-input-name"
            value={s.folderPath}
            onChange={(e) => s.patch({ folderPath: e.target.value })}
            placeholder="/home/me/restored"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={s.folderPath.trim() && target.nameError ? true : undefined}
            aria-describedby={`${folderId}-help ${folderId}-error`}
          />
          <p id={`${folderId}-help`} className="muted small">
            A full path on the machine DVOM runs on. It is created if needed; system folders such as /etc or /usr are refused.
          </p>
          <p id={`${folderId}-error`} className="br-field-error" role="alert">
            {s.folderPath.trim() ? (target.nameError ?? '') : ''}
          </p>
        </div>
      )}

      {!target.nameError && (target.offerModes || target.kind === 'folder') && <ExistingData facts={facts} />}

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
          {target.runningUsers.map((u) => {
            const ticked = s.stopContainers.includes(u.name);
            return (
              <div key={u.name} className="br-stop-row">
                <label className="br-check">
                  <input
                    type="checkbox"
                    checked={ticked}
                    aria-describedby={ticked ? undefined : `${stopNoteId}-${u.name}`}
                    onChange={(e) =>
                      s.patch({ stopContainers: e.target.checked ? [...s.stopContainers, u.name] : s.stopContainers.filter((c) => c !== u.name) })
                    }
                  />
                  Stop {u.name} during the restore
                </label>
                {!ticked && (
                  // Why the box cannot stay unticked, beside it rather than only next to Next.
                  <p id={`${stopNoteId}-${u.name}`} className="br-field-error br-stop-note br-wrap">
                    {u.name} is running and uses {target.name}: DVOM does not write into a volume while a container changes it. Tick this, or stop{' '}
                    {u.name} yourself first.
                  </p>
                )}
              </div>
            );
          })}
          {target.runningUsers.length > 0 && <p className="muted small">Stopped containers are started again when the restore ends.</p>}
          {target.stoppedUsers.length > 0 && (
            <p className="muted small br-wrap">Also used by {target.stoppedUsers.map((u) => u.name).join(', ')} (not running).</p>
          )}
        </fieldset>
      )}
    </div>
  );
}

/** What happens to what the destination already holds: keep the rest (and existing files, or not), or replace everything. */
function ExistingData({ facts }: { facts: WizardFacts }) {
  const s = useRestoreStore();
  const { target } = facts;
  const picked = s.what === 'selected';
  const restored = picked ? 'the chosen files' : "the version's files";
  return (
    <>
      {target.kind === 'volume' && (
        <fieldset className="br-fieldset">
          <legend className="br-field-label br-wrap">What is already in {target.name}</legend>
          <div className="br-choice-list">
            <Choice
              name="restore-mode"
              value="merge"
              checked={target.mode === 'merge'}
              onChoose={() => s.patch({ writeMode: 'merge' })}
              title={picked ? 'Keep it: put the chosen files back' : 'Keep it: add the restored files'}
              description={`Only ${restored} are written; nothing else in ${target.name} changes.`}
            />
            <Choice
              name="restore-mode"
              value="replace"
              checked={target.mode === 'replace'}
              onChoose={() => s.patch({ writeMode: 'replace' })}
              title="Replace everything in it"
              description={`${target.name} ends up holding only ${restored}.`}
            />
          </div>
        </fieldset>
      )}
      {target.mode === 'merge' && (
        <fieldset className="br-fieldset">
          <legend className="br-field-label">If a file is already there</legend>
          <div className="br-choice-list">
            <Choice
              name="restore-existing"
              value="skip"
              checked={s.onExisting === 'skip'}
              onChoose={() => s.patch({ onExisting: 'skip' })}
              title="Keep the file that is there"
              description="Only missing files are restored."
            />
            <Choice
              name="restore-existing"
              value="overwrite"
              checked={s.onExisting === 'overwrite'}
              onChoose={() => s.patch({ onExisting: 'overwrite' })}
              title="Replace it with the backed-up file"
              description="Files with the same path get the backed-up contents."
            />
          </div>
        </fieldset>
      )}
    </>
  );
}
