import { useEffect, useId, useRef, useState } from 'react';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { usePasswordStrength } from '../../components/backup-dialog/password-strength.ts';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { nameProblem, previewInput, type BackupContext } from './draft.ts';
import { EditorFooter } from './EditorFooter.tsx';
import { KeepSection } from './KeepSection.tsx';
import { LockedOutNotice } from './LockedOutNotice.tsx';
import { NewBackupSection } from './NewBackupSection.tsx';
import { OptionsSection } from './OptionsSection.tsx';
import { RememberPasswordDialog } from './RememberPasswordDialog.tsx';
import { SchedulePreview } from './SchedulePreview.tsx';
import { useChoices } from './use-choices.ts';
import { initialDraft, useEditorForm } from './use-editor-form.tsx';
import { WhatSection } from './WhatSection.tsx';
import { WhenSection } from './WhenSection.tsx';

interface Props {
  /** The schedule being edited, or null for a new one. */
  initial: ScheduleStatus | null;
  /** The names of the other schedules (a new name must not be one of them). */
  taken: readonly string[];
  onCancel(): void;
  onSaved(status: ScheduleStatus): void;
}

/**
 * Creates or changes a schedule: what to back up and where, when, what to
 * keep, and options, with a live preview of the next runs and of the versions
 * kept. Problems are said next to their fields, in words.
 */
export function ScheduleEditor({ initial, taken, onCancel, onSaved }: Props) {
  const loadVolumes = useVolumesStore((s) => s.load);
  const watchVolumes = useVolumesStore((s) => s.watch);
  const headingId = useId();
  const state = useState(() => initialDraft(initial));
  const [{ target, backup: typedBackup, password, encrypt }] = state;
  const backupName = typedBackup.trim();
  const choices = useChoices(target);
  // Passwords remembered from here (Remember password…) while the editor is open, by backup name.
  const [rememberedHere, setRememberedHere] = useState<ReadonlySet<string>>(new Set());
  const [remembering, setRemembering] = useState(false);

  const existing = choices.backups.state === 'ready' ? choices.backups.value.find((b) => b.name === backupName) : undefined;
  const backupExists = choices.backups.state === 'ready' ? !!existing : choices.backups.state === 'error' ? false : null;
  // A new backup: the store was listed and has none of this (valid) name, so the first run creates it.
  const newBackup = choices.backups.state === 'ready' && !existing && !!backupName && !nameProblem(backupName, 'backup', 128);
  // An edited schedule that already creates this backup encrypted, with its password remembered: typing it again is optional.
  const keptPassword = !!initial && initial.encrypt === true && !initial.passwordMissing && initial.backup === backupName && (initial.target ?? '') === target;
  const lockedOut = !!existing && existing.encrypted && !existing.damaged && !existing.passwordRemembered && !rememberedHere.has(existing.name);
  const strength = usePasswordStrength(newBackup && encrypt ? password : '', [backupName]);
  const backupContext: BackupContext = { newBackup, passwordNeeded: newBackup && !keptPassword, lockedOut, veryWeak: !!password && strength?.score === 0 };

  const { form, submit, formError } = useEditorForm({ initial, taken, state, backup: backupContext, onSaved });
  const { draft, busy } = form;

  useEffect(() => {
    void loadVolumes();
    return watchVolumes();
  }, [loadVolumes, watchVolumes]);

  // The editor replaces the list: start at its heading.
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  const preview = previewInput(draft);

  return (
    <>
    <form
      className="sch-editor"
      aria-labelledby={headingId}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <header className="page-header sch-editor-header">
        <div className="sch-editor-heading">
          <h1 id={headingId} ref={headingRef} tabIndex={-1} className="sch-editor-title">
            {initial ? `Edit ${initial.name}` : 'New schedule'}
          </h1>
          <p className="muted">Backs up volumes on its own, at the times you choose, and removes the versions you no longer need.</p>
        </div>
        <div className="page-actions">
          <button type="button" className="button sch-nowrap" onClick={onCancel} disabled={busy}>
            Back to schedules
          </button>
        </div>
      </header>

      <div className="sch-editor-grid">
        <div className="sch-editor-main">
          <WhatSection
            form={form}
            editing={!!initial}
            choices={choices}
            existing={existing}
            notice={
              // Also when the engine refused for want of the password (say, the keychain lost it since).
              existing?.encrypted && (lockedOut || form.shown('password')) ? <LockedOutNotice form={form} backup={existing.name} onRemember={() => setRemembering(true)} /> : null
            }
          />
          {newBackup && <NewBackupSection form={form} backupName={backupName} remembered={keptPassword} strength={strength} />}
          <WhenSection form={form} />
          <KeepSection form={form} />
          <OptionsSection form={form} />
        </div>

        <SchedulePreview
          when={preview.when}
          whenProblem={preview.whenProblem}
          retention={preview.retention}
          backup={existing && existing.versions > 0 ? existing.name : undefined}
          backupExists={backupExists}
          backupName={draft.backup}
          target={draft.target}
          schedule={nameProblem(draft.name.trim(), 'schedule', 64) ? undefined : draft.name.trim()}
          ownVersionsOnly={draft.ownVersionsOnly}
        />
      </div>

      <EditorFooter formError={formError} busy={busy} onCancel={onCancel} />
    </form>
      {/* Outside the editor's form: the dialog is a form of its own, and a submit must not reach the editor. */}
      {remembering && existing && (
        <RememberPasswordDialog
          schedule={{ backup: existing.name, ...(draft.target ? { target: draft.target } : {}) }}
          onClose={() => setRemembering(false)}
          onRemembered={(name) => {
            setRemembering(false);
            setRememberedHere((s) => new Set(s).add(name));
            form.change({}, ['password']);
          }}
        />
      )}
    </>
  );
}
