import { useId } from 'react';
import { formatBytes, formatDate, plural, relativeTime } from '../../../shared/format.ts';
import { useBackupsStore } from '../../state/backups-store.ts';
import { useRestoreStore } from '../../state/restore-store.ts';
import { Choice } from './Choice.tsx';
import { TargetPicker } from '../../components/TargetPicker.tsx';
import { CheckIcon, LockIcon } from '../../components/icons.tsx';
import type { WizardFacts } from './derive.ts';
import { StackRestoreOffer } from './StackRestoreOffer.tsx';

/** Step 1: which store (when there are several), which backup, which version (newest first) and, for a multi-volume version, which volume. */
export function SourceStep({ facts }: { facts: WizardFacts }) {
  const backupId = useId();
  const volumeId = useId();
  const s = useRestoreStore();
  const usable = facts.backups?.filter((b) => !b.damaged) ?? null;
  const listError = useBackupsStore((b) => b.error);
  const target = useBackupsStore((b) => b.target);

  return (
    <div className="br-step-body">
      <TargetPicker stacked value={target} onChange={(t) => useBackupsStore.getState().chooseTarget(t)} />
      <div className="br-field">
        <label htmlFor={backupId} className="br-field-label">
          Backup
        </label>
        {usable === null && listError ? (
          <div role="alert" className="br-inline-error">
            <p className="error-message">
              Cannot list the backups{target ? ` on ${target}` : ''}: {listError}
            </p>
            <button type="button" className="button br-button-small" onClick={() => void useBackupsStore.getState().load()}>
              Retry
            </button>
          </div>
        ) : usable === null ? (
          <p className="muted" role="status">
            Loading backups…
          </p>
        ) : usable.length === 0 ? (
          <p className="muted">{target ? `There are no backups on ${target} to restore from yet.` : 'There are no backups to restore from yet.'}</p>
        ) : (
          <select id={backupId} className="br-select br-select-wide" value={s.backup ?? ''} onChange={(e) => s.chooseBackup(e.target.value)}>
            {!s.backup && <option value="">Choose a backup…</option>}
            {usable.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
                {b.encrypted ? ' (encrypted)' : ''}
              </option>
            ))}
          </select>
        )}
        {facts.backup?.encrypted && (
          <p className="muted small br-with-icon">
            <LockIcon className="br-status-icon" />
            Encrypted{s.remembered ? ': its password is remembered.' : ': you will be asked for its password.'}
          </p>
        )}
      </div>

      {s.backup && (
        <fieldset className="br-fieldset">
          <legend className="br-field-label">Version</legend>
          {versionsList()}
        </fieldset>
      )}

      {facts.sourceVolumes.length > 1 && (
        <div className="br-field">
          <label htmlFor={volumeId} className="br-field-label">
            Volume in this version
          </label>
          <select id={volumeId} className="br-select br-select-wide" value={s.sourceVolume ?? ''} onChange={(e) => s.chooseSourceVolume(e.target.value)}>
            {!s.sourceVolume && <option value="">Choose a volume…</option>}
            {facts.sourceVolumes.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
      )}

      <StackRestoreOffer facts={facts} />
    </div>
  );

  function versionsList() {
    if (!facts.versions) {
      if (facts.versionsError) {
        return (
          <div role="alert" className="br-inline-error">
            <p className="error-message">Cannot list the versions: {facts.versionsError}</p>
            <button type="button" className="button br-button-small" onClick={() => void useBackupsStore.getState().loadVersions(s.backup!)}>
              Retry
            </button>
          </div>
        );
      }
      return (
        <p className="muted" role="status">
          Loading versions…
        </p>
      );
    }
    if (!facts.versions.length) return <p className="muted">This backup has no versions.</p>;
    return (
      <div className="br-choice-list br-version-choices">
        {facts.versions.map((v, i) => (
          <Choice
            key={v.id}
            name="restore-version"
            value={v.id}
            checked={s.version === v.id}
            onChoose={() => s.chooseVersion(v.id)}
            title={
              <>
                {formatDate(v.createdAt)}
                {i === 0 && <span className="br-tag">Latest</span>}
              </>
            }
            description={[relativeTime(v.createdAt), plural(v.stats.files, 'file'), formatBytes(v.stats.bytes), v.volumes.join(', ')].filter(Boolean).join(' · ')}
            side={
              v.verifiedAt ? (
                <span className="br-verified-yes br-with-icon">
                  <CheckIcon className="br-status-icon" />
                  Verified
                </span>
              ) : (
                <span className="muted">Not verified</span>
              )
            }
          />
        ))}
      </div>
    );
  }
}
