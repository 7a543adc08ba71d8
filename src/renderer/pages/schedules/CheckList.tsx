interface Props {
  className: string;
  /** Each choice: its name, and a note beside it ('' for none). */
  items: { name: string; note: string }[];
  /** The id of a choice's note (the checkbox's description). */
  noteId(name: string): string;
  /** The note also as a tooltip, for notes that may be cut short. */
  noteTitles?: boolean;
  checked(name: string): boolean;
  disabled: boolean;
  onChange(name: string, on: boolean): void;
}

/** A list of named checkboxes with notes, as the editor offers volumes and containers. */
export function CheckList({ className, items, noteId, noteTitles, checked, disabled, onChange }: Props) {
  return (
    <ul className={className}>
      {items.map((c) => (
        <li key={c.name}>
          <label className="sch-check">
            <input
              type="checkbox"
              aria-label={c.name}
              aria-describedby={c.note ? noteId(c.name) : undefined}
              checked={checked(c.name)}
              disabled={disabled}
              onChange={(e) => onChange(c.name, e.target.checked)}
            />
            <span className="sch-check-name">{c.name}</span>
            {c.note && (
              <span id={noteId(c.name)} className="sch-tag" title={noteTitles ? c.note : undefined}>
                {c.note}
              </span>
            )}
          </label>
        </li>
      ))}
    </ul>
  );
}
