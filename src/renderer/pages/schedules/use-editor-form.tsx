import { useEffect, useId, useRef, useState, type Dispatch, type ReactNode, type SetStateAction } from 'react';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { useSchedulesStore } from '../../state/schedules-store.ts';
import { changeDraft, checkDraft, draftFrom, emptyDraft, FIELD_ORDER, type BackupContext, type Checked, type Draft, type Field } from './draft.ts';

/** The draft as first shown: the schedule being edited, or an empty one. */
export const initialDraft = (initial: ScheduleStatus | null): Draft => (initial ? draftFrom(initial) : emptyDraft());
import { placeSaveError } from './save-error.ts';

/** What every section of the schedule editor works with: the draft, its problems, and how a field is wired. */
export interface EditorForm {
  draft: Draft;
  checked: Checked;
  busy: boolean;
  /** The editor's id, the prefix of every id inside it. */
  id: string;
  fieldId(f: string): string;
  hintId(f: string): string;
  /** The problem to show under field `f` now: the engine's, or the draft's once touched or tried. */
  shown(f: Field): string | null;
  invalid(f: Field): true | undefined;
  /** Registers field `f`'s element, so a problem can move focus to it. */
  reg(f: Field): (el: HTMLElement | null) => void;
  touch(f: Field): void;
  /** Changes the draft; an engine error about one of `fields` (or the whole form) goes with it. */
  change(patch: Partial<Draft>, fields?: Field[]): void;
  /** Field `f`'s hint: its problem, or `normal`. */
  hint(f: Field, normal: ReactNode): ReactNode;
  /** What the control of field `f` always carries: focus on a problem, its id and hint, invalid, busy, touched on leaving. */
  bind(f: Field): Bound;
  /** A name or expression typed as is: bind(f), no autocomplete or spelling, 200 characters at most. */
  textInput(f: Field): Bound & { className: string; autoComplete: 'off'; spellCheck: false; maxLength: number };
  /** A count: bind(f), a narrow box, the numeric keypad. */
  numberInput(f: Field): Bound & { className: string; inputMode: 'numeric'; autoComplete: 'off' };
}

type Bound = {
  ref: (el: HTMLElement | null) => void;
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string;
  disabled: boolean;
  onBlur(): void;
};

interface Options {
  initial: ScheduleStatus | null;
  taken: readonly string[];
  /** The draft's state, held by the editor (what the store holds for its target decides `backup`). */
  state: [Draft, Dispatch<SetStateAction<Draft>>];
  /** What is known of the named backup (new, needs a password, locked out); as the editor learns it. */
  backup: BackupContext;
  onSaved(status: ScheduleStatus): void;
}

/**
 * The schedule editor's state: the draft, which fields were touched, the
 * engine's answer to a save, and focus on the first problem.
 */
export function useEditorForm({ initial, taken, state, backup, onSaved }: Options): { form: EditorForm; submit(): Promise<void>; formError: string | null } {
  const save = useSchedulesStore((s) => s.save);
  const [draft, setDraft] = state;
  const [touched, setTouched] = useState<ReadonlySet<Field>>(new Set());
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [server, setServer] = useState<{ field: Field; text: string } | null>(null);
  const id = useId();
  const fieldId = (f: string) => `${id}-${f.replace('.', '-')}`;
  const hintId = (f: string) => `${fieldId(f)}-hint`;

  const checked = checkDraft(draft, taken, backup);

  const shown = (f: Field): string | null => {
    if (server?.field === f) return server.text;
    return tried || touched.has(f) ? (checked.problems[f] ?? null) : null;
  };
  const touch = (f: Field) => setTouched((t) => (t.has(f) ? t : new Set(t).add(f)));

  const change = (patch: Partial<Draft>, fields: Field[] = []) => {
    setDraft((d) => changeDraft(d, patch));
    if (server && (server.field === 'form' || fields.includes(server.field))) setServer(null);
  };

  // Focus goes to the first field with a problem (a fieldset: its first control).
  const refs = useRef(new Map<Field, HTMLElement | null>());
  const reg = (f: Field) => (el: HTMLElement | null) => {
    refs.current.set(f, el);
  };
  const focusField = (f: Field) => {
    const el = refs.current.get(f);
    const target = el instanceof HTMLFieldSetElement ? el.querySelector<HTMLElement>('input:not([disabled]), select, button') : el;
    (target ?? el)?.focus();
  };
  const [focusAfter, setFocusAfter] = useState<Field | null>(null);
  useEffect(() => {
    if (busy || !focusAfter) return;
    focusField(focusAfter);
    setFocusAfter(null);
  }, [busy, focusAfter]);

  async function submit() {
    if (busy) return;
    setTried(true);
    setServer(null);
    if (!checked.schedule) {
      const first = FIELD_ORDER.find((f) => checked.problems[f]);
      if (first) focusField(first);
      return;
    }
    setBusy(true);
    try {
      // The password goes along only for a backup the first run creates encrypted; the engine keeps it in the keychain.
      const password = backup.newBackup && draft.encrypt && draft.password ? draft.password : undefined;
      const status = await save(checked.schedule, initial?.name, password);
      onSaved(status);
    } catch (err) {
      const placed = placeSaveError(err);
      setServer(placed);
      setBusy(false);
      setFocusAfter(placed.field === 'form' ? null : placed.field);
    }
  }

  const problemCount = Object.keys(checked.problems).length;
  const formError = server?.field === 'form' ? server.text : tried && problemCount ? `Fix the ${problemCount === 1 ? 'problem' : `${problemCount} problems`} marked above to save.` : null;

  const invalid = (f: Field) => (shown(f) ? (true as const) : undefined);
  const bind = (f: Field): Bound => ({
    ref: reg(f),
    id: fieldId(f),
    'aria-invalid': invalid(f),
    'aria-describedby': hintId(f),
    disabled: busy,
    onBlur: () => touch(f),
  });
  const form: EditorForm = {
    draft,
    checked,
    busy,
    id,
    fieldId,
    hintId,
    shown,
    invalid,
    reg,
    touch,
    change,
    hint(f, normal) {
      const problem = shown(f);
      return (
        <p id={hintId(f)} className={`field-hint${problem ? ' field-error' : ''}`}>
          {problem ?? normal}
        </p>
      );
    },
    bind,
    textInput: (f) => ({ ...bind(f), className: 'text-input sch-input', autoComplete: 'off', spellCheck: false, maxLength: 200 }),
    numberInput: (f) => ({ ...bind(f), className: 'text-input sch-input sch-number', inputMode: 'numeric', autoComplete: 'off' }),
  };
  return { form, submit, formError };
}
