import { useState } from 'react';
import type { TargetDto } from '../../../shared/api/dto.ts';
import { useSettingsStore } from '../../state/settings-store.ts';
import { RemoveTargetDialog } from './RemoveTargetDialog.tsx';
import { TargetCard } from './TargetCard.tsx';
import { TargetFormDialog } from './TargetFormDialog.tsx';
import { inputFromTarget } from './target-form.ts';

type Editor = { kind: 'add' } | { kind: 'edit'; target: TargetDto } | { kind: 'remove'; target: TargetDto } | null;

interface Props {
  /** A short message for the page header's status line. */
  announce(message: string): void;
}

const ADD_BUTTON_ID = 'settings-add-target';
const addButton = () => document.getElementById(ADD_BUTTON_ID);

/** The store in use, the saved targets, and adding, editing, testing and removing them. */
export function StorageTargetsSection({ announce }: Props) {
  const { info, infoError, targets, targetsError, loading, tests, load, save, test } = useSettingsStore();
  const [editor, setEditor] = useState<Editor>(null);
  const [busyName, setBusyName] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const close = () => setEditor(null);

  const makeDefault = async (target: TargetDto) => {
    const input = inputFromTarget(target);
    if (!input) {
      setActionError(`Cannot make ${target.name} the default: its settings are incomplete. Edit it first.`);
      return;
    }
    setBusyName(target.name);
    setActionError(null);
    try {
      await save(target.name, input, true);
      announce(`${target.name} is now the default target.`);
    } catch (err) {
      setActionError(`Could not make ${target.name} the default. ${(err as Error).message}`);
    } finally {
      setBusyName(null);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="settings-targets-title">
      <div className="settings-section-heading">
        <div>
          <h2 id="settings-targets-title">Storage targets</h2>
          <p className="muted">Where backups are kept: folders on this computer or a share, and S3 buckets.</p>
        </div>
        <button id={ADD_BUTTON_ID} type="button" className="button button-primary" onClick={() => setEditor({ kind: 'add' })}>
          Add target
        </button>
      </div>

      <dl className="settings-facts">
        <div className="settings-fact">
          <dt>Store in use</dt>
          <dd>
            {info ? (
              <span className="settings-location">{info.storeLocation}</span>
            ) : infoError ? (
              <span className="muted">Unknown</span>
            ) : (
              <span className="muted">Loading…</span>
            )}
            <span className="settings-fact-hint muted">New backups go to the default target; without one, to the local store on this computer.</span>
          </dd>
        </div>
      </dl>

      {actionError && (
        <div className="banner banner-error" role="alert">
          <p>{actionError}</p>
          <button type="button" className="button" onClick={() => setActionError(null)}>
            Dismiss
          </button>
        </div>
      )}

      {body()}

      {(editor?.kind === 'add' || editor?.kind === 'edit') && (
        <TargetFormDialog
          editing={editor.kind === 'edit' ? editor.target : null}
          existingNames={(targets ?? []).map((t) => t.name)}
          keychain={info?.keychain ?? null}
          onClose={close}
          onSaved={(saved) => {
            close();
            announce(editor.kind === 'add' ? `Added ${saved.name}.` : `Saved ${saved.name}.`);
          }}
          fallbackFocus={addButton}
        />
      )}
      {editor?.kind === 'remove' && (
        <RemoveTargetDialog
          target={editor.target}
          onClose={close}
          onRemoved={(name) => {
            close();
            announce(`Removed ${name}.`);
          }}
          fallbackFocus={addButton}
        />
      )}
    </section>
  );

  function body() {
    const stale = targets && targetsError && (
      <div className="banner banner-error" role="alert">
        <p>Could not refresh the list: {targetsError}</p>
        <button type="button" className="button" onClick={() => void load()} disabled={loading}>
          Retry
        </button>
      </div>
    );
    if (targets?.length) {
      return (
        <>
          {stale}
          <ul className="settings-target-list" aria-label="Storage targets">
          {targets.map((t) => (
            <li key={t.name}>
              <TargetCard
                target={t}
                test={tests[t.name]}
                busy={busyName === t.name}
                onTest={() => void test(t.name)}
                onEdit={() => setEditor({ kind: 'edit', target: t })}
                onMakeDefault={() => void makeDefault(t)}
                onRemove={() => setEditor({ kind: 'remove', target: t })}
              />
            </li>
          ))}
          </ul>
        </>
      );
    }
    if (targets) {
      return (
        <>
          {stale}
          <div className="settings-placeholder" role="status">
          <h3>No storage targets yet</h3>
          <p className="muted">Backups go to the local store above. Add a folder (for example a NAS share) or an S3 bucket to keep them elsewhere.</p>
          </div>
        </>
      );
    }
    if (targetsError) {
      return (
        <div className="settings-placeholder settings-placeholder-error" role="alert">
          <h3>Cannot list the storage targets</h3>
          <p className="error-message">{targetsError}</p>
          <button type="button" className="button" onClick={() => void load()} disabled={loading}>
            Retry
          </button>
        </div>
      );
    }
    return (
      <div className="settings-placeholder" role="status">
        <span className="spinner" aria-hidden="true" />
        <h3>Loading storage targets…</h3>
      </div>
    );
  }
}
