import { useState } from 'react';
import { formatDate, plural } from '../../../shared/format.ts';
import { useBackupsStore } from '../../state/backups-store.ts';
import { useRestoreStore } from '../../state/restore-store.ts';
import { choiceOf, useTargetsStore } from '../../state/targets-store.ts';
import { WarningIcon } from '../../components/icons.tsx';
import type { WizardFacts } from './derive.ts';

const SHOWN_PATHS = 8;

/** Step 5: everything that will happen, in words, before anything does. */
export function ReviewStep({ facts }: { facts: WizardFacts }) {
  const s = useRestoreStore();
  const { target } = facts;
  const replacing = target.needsConfirm;
  const merging = target.mode === 'merge' && (target.kind === 'folder' || target.offerModes);
  const [askConfirm] = useState(() => target.needsConfirm && !s.confirmReplace);
  // The store the backup is read from (step 1's storage target).
  const storeKey = useBackupsStore((b) => b.target);
  const choices = useTargetsStore((t) => t.choices);
  const store = choices ? choiceOf(choices, storeKey) : undefined;
  const stopping = s.stopContainers.filter((c) => target.runningUsers.some((u) => u.name === c));

  return (
    <div className="br-step-body">
      <dl className="br-summary">
        <dt>Backup</dt>
        <dd className="br-wrap">
          {facts.backup?.name}
          <span className="muted"> · {facts.backup?.encrypted ? 'encrypted' : 'not encrypted'}</span>
        </dd>
        <dt>Storage</dt>
        <dd className="br-wrap">
          {store ? (store.value ? `Target ${store.name}` : store.name) : storeKey ? `Target ${storeKey}` : 'Default store'}
          {store?.location && <span className="muted"> · {store.location}</span>}
        </dd>
        <dt>Version</dt>
        <dd>
          {facts.version ? formatDate(facts.version.createdAt) : ''} <span className="muted small">({s.version})</span>
        </dd>
        {facts.sourceVolume && (
          <>
            <dt>From volume</dt>
            <dd className="br-wrap">{facts.sourceVolume}</dd>
          </>
        )}
        <dt>What</dt>
        <dd>
          {s.what === 'all' ? (
            'Everything in it'
          ) : (
            <>
              {plural(s.selected.length, 'selected item')}
              <ul className="br-summary-paths">
                {s.selected.slice(0, SHOWN_PATHS).map((p) => (
                  <li key={p} className="br-wrap">
                    {p}
                  </li>
                ))}
                {s.selected.length > SHOWN_PATHS && <li className="muted">and {s.selected.length - SHOWN_PATHS} more</li>}
              </ul>
            </>
          )}
        </dd>
        <dt>Into</dt>
        <dd className="br-wrap">
          {target.kind === 'folder' ? (
            <>
              Folder <strong>{target.name}</strong> <span className="muted">on this computer (created if needed); everything else in it is kept</span>
            </>
          ) : !target.volume ? (
            <>
              New volume <strong>{target.name}</strong> <span className="muted">(created now)</span>
            </>
          ) : merging ? (
            <>
              <strong>{target.name}</strong>: the restored files are added; <strong>everything else in it is kept</strong>
            </>
          ) : replacing ? (
            <span className="br-danger-text">
              <strong>{target.name}</strong>: its current contents are replaced
            </span>
          ) : (
            <>
              <strong>{target.name}</strong> <span className="muted">(empty)</span>
            </>
          )}
        </dd>
        {merging && (
          <>
            <dt>Files already there</dt>
            <dd>
              {s.onExisting === 'skip'
                ? 'Kept as they are: only missing files are restored'
                : 'Replaced by the backed-up files (only those with the same path)'}
            </dd>
          </>
        )}
        {target.kind === 'volume' && (
          <>
            <dt>Containers</dt>
            <dd className="br-wrap">
              {stopping.length ? `${stopping.join(', ')}: stopped during the restore, then started again` : 'None are stopped'}
            </dd>
          </>
        )}
        <dt>Password</dt>
        <dd>
          {!facts.backup?.encrypted
            ? 'Not needed: the backup is not encrypted'
            : facts.passwordNeeded
              ? 'Entered and checked'
              : 'Remembered in the keychain'}
        </dd>
      </dl>
      <p className="muted small">
        Every file is checked against its SHA-256 hash
        {merging || replacing ? ', in a temporary copy, before anything already there is changed' : ' as it is written'}. Nothing has been changed yet:
        the restore starts when you choose Start restore.
      </p>

      {(askConfirm || s.notEmptyRefused) && target.mode === 'replace' && (
        <div className="br-replace-warning" role="group" aria-label="Replace the volume's contents">
          <p className="br-with-icon">
            <WarningIcon className="br-status-icon" />
            <span>
              <strong className="br-wrap">{target.name}</strong> is not empty. Everything in it is deleted and replaced by the
              restored files, once they have been verified.
            </span>
          </p>
          <label className="br-check">
            <input type="checkbox" checked={s.confirmReplace} onChange={(e) => s.patch({ confirmReplace: e.target.checked })} />
            Replace the contents of {target.name}
          </label>
        </div>
      )}
      <p className="br-field-error br-start-error" role="alert">
        {s.startError ?? ''}
      </p>
    </div>
  );
}
