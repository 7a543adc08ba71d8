interface Props {
  /** Why the form cannot be saved, or null. */
  formError: string | null;
  busy: boolean;
  onCancel(): void;
}

/** The editor's last row: why it cannot be saved, Cancel, and Save (the form's submit). */
export function EditorFooter({ formError, busy, onCancel }: Props) {
  return (
    <div className="sch-editor-footer">
      <p className="sch-form-error" role="alert">
        {formError ?? ''}
      </p>
      <button type="button" className="button" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
      <button type="submit" className="button button-primary sch-save" disabled={busy}>
        {busy ? 'Saving…' : 'Save schedule'}
      </button>
    </div>
  );
}
