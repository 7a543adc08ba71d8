import { useEffect, useId, useRef } from 'react';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { previewInput } from './draft.ts';
import { EditorFooter } from './EditorFooter.tsx';
import { KeepSection } from './KeepSection.tsx';
import { OptionsSection } from './OptionsSection.tsx';
import { SchedulePreview } from './SchedulePreview.tsx';
import { useChoices } from './use-choices.ts';
import { useEditorForm } from './use-editor-form.tsx';
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
  const { form, submit, formError } = useEditorForm({ initial, taken, onSaved });
  const { draft, busy } = form;
  const choices = useChoices(draft.target);

  useEffect(() => {
    void loadVolumes();
    return watchVolumes();
  }, [loadVolumes, watchVolumes]);

  // The editor replaces the list: start at its heading.
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  const preview = previewInput(draft);
  const backupName = draft.backup.trim();
  const existing = choices.backups.state === 'ready' ? choices.backups.value.find((b) => b.name === backupName) : undefined;
  const backupExists = choices.backups.state === 'ready' ? !!existing : choices.backups.state === 'error' ? false : null;

  return (
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
          <WhatSection form={form} editing={!!initial} choices={choices} existing={existing} />
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
        />
      </div>

      <EditorFooter formError={formError} busy={busy} onCancel={onCancel} />
    </form>
  );
}
