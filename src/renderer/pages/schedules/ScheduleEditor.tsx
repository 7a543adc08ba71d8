import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { TargetDto, VolumeDto } from '../../../shared/api/dto.ts';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { useSchedulesStore } from '../../state/schedules-store.ts';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { Switch } from '../../components/Switch.tsx';
import { CRON_HELP } from './cron.ts';
import { checkDraft, draftFrom, emptyDraft, FIELD_ORDER, previewInput, RETENTION_KEYS, type Draft, type Field, type RetentionKey, type WhenKind } from './draft.ts';
import { WEEK } from './describe.ts';
import { placeSaveError } from './save-error.ts';
import { SchedulePreview } from './SchedulePreview.tsx';
import { useChoices } from './use-choices.ts';

interface Props {
  /** The schedule being edited, or null for a new one. */
  initial: ScheduleStatus | null;
  /** The names of the other schedules (a new name must not be one of them). */
  taken: readonly string[];
  onCancel(): void;
  onSaved(status: ScheduleStatus): void;
}

const KINDS: { kind: WhenKind; label: string }[] = [
  { kind: 'interval', label: 'Interval' },
  { kind: 'daily', label: 'Daily' },
  { kind: 'weekly', label: 'Weekly' },
  { kind: 'cron', label: 'Cron' },
];

const RETENTION_LABELS: Record<RetentionKey, string> = { last: 'Last', hourly: 'Hourly', daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly', yearly: 'Yearly' };

/** The storage choices: the default store (whichever that is when it runs), then each target. */
function storageOptions(targets: TargetDto[], defaultLocation: string | null, current: string): { value: string; label: string }[] {
  const def = targets.find((t) => t.isDefault);
  const now = def ? `now ${def.name}` : defaultLocation;
  const options = [{ value: '', label: `Default store${now ? ` (${now})` : ''}` }, ...targets.map((t) => ({ value: t.name, label: `${t.name} — ${t.location}` }))];
  if (current && !targets.some((t) => t.name === current)) options.push({ value: current, label: `${current} (not set up on this computer)` });
  return options;
}

/** Containers that use the chosen volumes, plus any already chosen. */
function containerChoices(volumes: VolumeDto[] | null, chosenVolumes: string[], selected: string[]): { name: string; note: string }[] {
  const found = new Map<string, { name: string; note: string }>();
  for (const v of volumes ?? []) {
    if (!chosenVolumes.includes(v.name)) continue;
    for (const u of v.usedBy) found.set(u.name, { name: u.name, note: u.running ? 'running' : 'stopped' });
  }
  for (const name of selected) if (!found.has(name)) found.set(name, { name, note: volumes ? 'not using these volumes' : '' });
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Creates or changes a schedule: what to back up and where, when, what to
 * keep, and options, with a live preview of the next runs and of the versions
 * kept. Problems are said next to their fields, in words.
 */
export function ScheduleEditor({ initial, taken, onCancel, onSaved }: Props) {
  const save = useSchedulesStore((s) => s.save);
  const { volumes, error: volumesError, loading: volumesLoading, load: loadVolumes, watch: watchVolumes } = useVolumesStore();
  const [draft, setDraft] = useState<Draft>(() => (initial ? draftFrom(initial) : emptyDraft()));
  /** New schedules take their names from the first volume until the user types one. */
  const [named, setNamed] = useState({ name: !!initial, backup: !!initial });
  const [touched, setTouched] = useState<ReadonlySet<Field>>(new Set());
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [server, setServer] = useState<{ field: Field; text: string } | null>(null);
  const choices = useChoices(draft.target);
  const headingId = useId();
  const id = useId();
  const fieldId = (f: string) => `${id}-${f.replace('.', '-')}`;
  const hintId = (f: string) => `${fieldId(f)}-hint`;

  useEffect(() => {
    void loadVolumes();
    return watchVolumes();
  }, [loadVolumes, watchVolumes]);

  // The editor replaces the list: start at its heading.
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);

  const checked = checkDraft(draft, taken);
  const preview = previewInput(draft);
  const backupName = draft.backup.trim();
  const existing = choices.backups.state === 'ready' ? choices.backups.value.find((b) => b.name === backupName) : undefined;
  const backupExists = choices.backups.state === 'ready' ? !!existing : choices.backups.state === 'error' ? false : null;

  const shown = (f: Field): string | null => {
    if (server?.field === f) return server.text;
    return tried || touched.has(f) ? (checked.problems[f] ?? null) : null;
  };
  const touch = (f: Field) => setTouched((t) => (t.has(f) ? t : new Set(t).add(f)));

  const change = (patch: Partial<Draft>, fields: Field[] = []) => {
    setDraft((d) => ({ ...d, ...patch }));
    if (server && (server.field === 'form' || fields.includes(server.field))) setServer(null);
  };

  const toggleVolume = (name: string, on: boolean) => {
    const next = on ? [...draft.volumes, name] : draft.volumes.filter((v) => v !== name);
    const first = next[0] ?? '';
    const patch: Partial<Draft> = { volumes: next };
    if (!named.name) patch.name = first.slice(0, 64);
    if (!named.backup) patch.backup = suggestedBackup(next);
    change(patch, ['volumes', 'name', 'backup']);
    touch('volumes');
  };

  /** An existing backup of these volumes (the same set first), else the first volume's name. */
  const suggestedBackup = (chosen: string[]): string => {
    const first = chosen[0];
    if (!first) return '';
    const backups = choices.backups.state === 'ready' ? choices.backups.value.filter((b) => !b.damaged && b.volumes.includes(first)) : [];
    const same = backups.find((b) => b.volumes.length === chosen.length && chosen.every((v) => b.volumes.includes(v)));
    return (same ?? backups.find((b) => b.name === first) ?? backups[0])?.name ?? first.slice(0, 128);
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
      const status = await save(checked.schedule, initial?.name);
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

  const volumeChoices = volumeList();
  const containers = containerChoices(volumes, draft.volumes, draft.stopContainers);
  const storage = storageOptions(choices.targets.state === 'ready' ? choices.targets.value : [], choices.defaultLocation, draft.target);

  const hint = (f: Field, normal: ReactNode) => {
    const problem = shown(f);
    return (
      <p id={hintId(f)} className={`field-hint${problem ? ' field-error' : ''}`}>
        {problem ?? normal}
      </p>
    );
  };
  const invalid = (f: Field) => (shown(f) ? true : undefined);
  /** What the control of field `f` always carries: focus on a problem, its id and hint, invalid, busy, touched on leaving. */
  const bind = (f: Field) => ({
    ref: reg(f),
    id: fieldId(f),
    'aria-invalid': invalid(f),
    'aria-describedby': hintId(f),
    disabled: busy,
    onBlur: () => touch(f),
  });

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
          <section className="sch-section" aria-labelledby={`${id}-what`}>
            <h2 id={`${id}-what`}>What to back up</h2>
            <div className="field">
              <label className="field-label" htmlFor={fieldId('name')}>
                Schedule name
              </label>
              <input
                {...bind('name')}
                className="text-input sch-input"
                value={draft.name}
                autoComplete="off"
                spellCheck={false}
                maxLength={200}
                onChange={(e) => {
                  setNamed((n) => ({ ...n, name: true }));
                  change({ name: e.target.value }, ['name']);
                }}
              />
              {hint('name', 'How it is listed here. Letters, digits, “.”, “_” and “-”.')}
            </div>

            <fieldset ref={reg('volumes')} className="field" aria-describedby={hintId('volumes')} aria-invalid={invalid('volumes')}>
              <legend className="field-label">Volumes</legend>
              {volumeChoices}
              {hint('volumes', 'Every run saves the chosen volumes together, as one new version.')}
            </fieldset>

            <div className="field">
              <label className="field-label" htmlFor={fieldId('target')}>
                Storage
              </label>
              <select
                ref={reg('target')}
                id={fieldId('target')}
                className="select-input sch-input"
                value={draft.target}
                aria-invalid={invalid('target')}
                aria-describedby={hintId('target')}
                disabled={busy}
                onChange={(e) => change({ target: e.target.value }, ['target', 'backup'])}
              >
                {storage.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
              {hint(
                'target',
                choices.targets.state === 'error'
                  ? `Could not list the storage targets (${choices.targets.error}).`
                  : 'Where the versions are written. Targets are set up in Settings.',
              )}
            </div>
            <div className="field">
              <label className="field-label" htmlFor={fieldId('backup')}>
                Backup name
              </label>
              <input
                {...bind('backup')}
                className="text-input sch-input"
                value={draft.backup}
                list={`${id}-backups`}
                autoComplete="off"
                spellCheck={false}
                maxLength={200}
                onChange={(e) => {
                  setNamed((n) => ({ ...n, backup: true }));
                  change({ backup: e.target.value }, ['backup']);
                }}
              />
              <datalist id={`${id}-backups`}>
                {choices.backups.state === 'ready' && choices.backups.value.map((b) => <option key={b.name} value={b.name} />)}
              </datalist>
              {backupField()}
            </div>
          </section>

          <section className="sch-section" aria-labelledby={`${id}-when`}>
            <h2 id={`${id}-when`}>When</h2>
            <fieldset className="field">
              <legend className="field-label">Repeat</legend>
              <div className="sch-segments">
                {KINDS.map((k) => (
                  <label key={k.kind} className="sch-segment">
                    <input
                      type="radio"
                      name={`${id}-kind`}
                      value={k.kind}
                      checked={draft.kind === k.kind}
                      disabled={busy}
                      onChange={() => change({ kind: k.kind }, ['every', 'at', 'days', 'expression'])}
                    />
                    <span>{k.label}</span>
                  </label>
                ))}
              </div>
            </fieldset>
            <div className="sch-when-body">{whenFields()}</div>
          </section>

          <section className="sch-section" aria-labelledby={`${id}-keep`}>
            <h2 id={`${id}-keep`}>Keep</h2>
            <p className="sch-section-text muted">
              After each scheduled backup, versions that no rule keeps are removed. <em>Last</em> keeps the newest versions; <em>Daily</em> keeps the
              newest version of each of that many days, and so on. Leave every box empty to keep all versions.
            </p>
            <div className="sch-retention">
              {RETENTION_KEYS.map((k) => {
                const f = `retention.${k}` as const;
                return (
                  <div key={k} className="field">
                    <label className="field-label" htmlFor={fieldId(f)}>
                      {RETENTION_LABELS[k]}
                    </label>
                    <input
                      {...bind(f)}
                      aria-label={`Keep ${RETENTION_LABELS[k].toLowerCase()}`}
                      className="text-input sch-input sch-number"
                      inputMode="numeric"
                      value={draft.retention[k]}
                      placeholder="—"
                      autoComplete="off"
                      aria-describedby={shown(f) ? hintId(f) : undefined}
                      onChange={(e) => change({ retention: { ...draft.retention, [k]: e.target.value } }, [f])}
                    />
                    <p id={hintId(f)} className="field-hint field-error">
                      {shown(f) ?? ''}
                    </p>
                  </div>
                );
              })}
            </div>
          </section>

          <section className="sch-section" aria-labelledby={`${id}-options`}>
            <h2 id={`${id}-options`}>Options</h2>
            <fieldset ref={reg('stopContainers')} className="field" aria-describedby={hintId('stopContainers')}>
              <legend className="field-label">Containers to stop</legend>
              {containers.length > 0 && (
                <ul className="sch-choices">
                  {containers.map((c) => (
                    <li key={c.name}>
                      <label className="sch-check">
                        <input
                          type="checkbox"
                          aria-label={c.name}
                          aria-describedby={c.note ? `${id}-ctr-${c.name}` : undefined}
                          checked={draft.stopContainers.includes(c.name)}
                          disabled={busy}
                          onChange={(e) =>
                            change(
                              { stopContainers: e.target.checked ? [...draft.stopContainers, c.name] : draft.stopContainers.filter((n) => n !== c.name) },
                              ['stopContainers'],
                            )
                          }
                        />
                        <span className="sch-check-name">{c.name}</span>
                        {c.note && (
                          <span id={`${id}-ctr-${c.name}`} className="sch-tag">
                            {c.note}
                          </span>
                        )}
                      </label>
                    </li>
                  ))}
                </ul>
              )}
              {hint(
                'stopContainers',
                containers.length
                  ? 'Stopped during each backup for a consistent copy of databases and apps, and started again afterwards.'
                  : draft.volumes.length
                    ? 'No container uses the chosen volumes, so nothing needs stopping.'
                    : 'Choose volumes first: the containers that use them are listed here.',
              )}
            </fieldset>

            <div className="sch-switches">
              <Switch
                label="Enabled"
                description="Runs at the times above. When off, it runs only when you press Run now."
                checked={draft.enabled}
                disabled={busy}
                onChange={(enabled) => change({ enabled })}
              />
              <Switch
                label="Catch up missed runs"
                description="If the computer was off or asleep at a run time, run once as soon as it can."
                checked={draft.catchUp}
                disabled={busy}
                onChange={(catchUp) => change({ catchUp })}
              />
              <Switch
                label="Notify on success"
                description="A notification after every successful run. Failures always notify."
                checked={draft.notifyOnSuccess}
                disabled={busy}
                onChange={(notifyOnSuccess) => change({ notifyOnSuccess })}
              />
            </div>

            <div className="field">
              <label className="field-label" htmlFor={fieldId('testRestoreEvery')}>
                Test restore every
              </label>
              <div className="sch-inline">
                <input
                  {...bind('testRestoreEvery')}
                  className="text-input sch-input sch-number"
                  inputMode="numeric"
                  value={draft.testRestoreEvery}
                  autoComplete="off"
                  aria-describedby={`${fieldId('testRestoreEvery')}-unit ${hintId('testRestoreEvery')}`}
                  onChange={(e) => change({ testRestoreEvery: e.target.value }, ['testRestoreEvery'])}
                />
                <span id={`${fieldId('testRestoreEvery')}-unit`} className="muted">
                  runs
                </span>
              </div>
              {hint('testRestoreEvery', 'Proves the newest version can be restored, by restoring it to a scratch place and checking every file. 0: never.')}
            </div>
          </section>
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
    </form>
  );

  /** The backup name's hint: which backup the runs add to, or why they would fail. */
  function backupField(): ReactNode {
    const problem = shown('backup');
    let text = 'Each run adds a version to this existing backup.';
    let warn = false;
    if (problem || !backupName) {
      // the rule, or the problem
    } else if (choices.backups.state === 'error') {
      text = `Could not look into this store: ${choices.backups.error}`;
      warn = true;
    } else if (choices.backups.state === 'ready' && !existing) {
      text = `No backup “${backupName}” in this store yet. Scheduled runs add to an existing backup: make its first one from the Volumes page (Back up, named “${backupName}”).`;
      warn = true;
    } else if (existing?.damaged) {
      text = `“${existing.name}” exists here but cannot be read: ${existing.damaged}`;
      warn = true;
    } else if (existing) {
      const versions = `${existing.versions} ${existing.versions === 1 ? 'version' : 'versions'}`;
      if (!existing.encrypted) text = `Adds versions to “${existing.name}” (${versions}, not encrypted).`;
      else if (existing.passwordRemembered) text = `Adds versions to “${existing.name}” (${versions}, encrypted; its password is remembered).`;
      else {
        text = `Adds versions to “${existing.name}” (${versions}, encrypted), but its password is not remembered on this computer, so runs would fail. Remember it once the schedule is saved.`;
        warn = true;
      }
    }
    return (
      <p id={hintId('backup')} className={`field-hint sch-hint-2${problem ? ' field-error' : warn ? ' sch-warn-text' : ''}`}>
        {problem ?? text}
      </p>
    );
  }

  function volumeList(): ReactNode {
    const listed = volumes ?? [];
    const missing = draft.volumes.filter((v) => !listed.some((l) => l.name === v));
    if (!volumes && !volumesError) {
      return (
        <p className="sch-choices-state muted" role="status">
          Loading volumes…
        </p>
      );
    }
    if (!volumes && volumesError) {
      return (
        <div className="sch-choices-state" role="alert">
          <span className="sch-error-text">Could not list the volumes: {volumesError}</span>{' '}
          <button type="button" className="link-button" onClick={() => void loadVolumes()} disabled={volumesLoading}>
            Try again
          </button>
        </div>
      );
    }
    if (!listed.length && !missing.length) return <p className="sch-choices-state muted">There are no Docker volumes on this engine.</p>;
    return (
      <ul className="sch-choices sch-volume-choices">
        {[...listed.map((v) => ({ name: v.name, note: v.usedBy.length ? `used by ${v.usedBy.map((u) => u.name).join(', ')}` : '' })), ...missing.map((name) => ({ name, note: 'not found on this engine' }))].map((v) => (
          <li key={v.name}>
            <label className="sch-check">
              <input
                type="checkbox"
                aria-label={v.name}
                aria-describedby={v.note ? `${id}-vol-${v.name}` : undefined}
                checked={draft.volumes.includes(v.name)}
                disabled={busy}
                onChange={(e) => toggleVolume(v.name, e.target.checked)}
              />
              <span className="sch-check-name">{v.name}</span>
              {v.note && (
                <span id={`${id}-vol-${v.name}`} className="sch-tag" title={v.note}>
                  {v.note}
                </span>
              )}
            </label>
          </li>
        ))}
      </ul>
    );
  }

  function whenFields(): ReactNode {
    switch (draft.kind) {
      case 'interval':
        return (
          <div className="field">
            <label className="field-label" htmlFor={fieldId('every')}>
              Every
            </label>
            <div className="sch-inline">
              <input
                {...bind('every')}
                className="text-input sch-input sch-number"
                inputMode="numeric"
                value={draft.every}
                autoComplete="off"
                onChange={(e) => change({ every: e.target.value }, ['every'])}
              />
              <select
                className="select-input sch-input sch-unit"
                aria-label="Unit"
                value={draft.unit}
                disabled={busy}
                onChange={(e) => change({ unit: e.target.value as Draft['unit'] }, ['every'])}
              >
                <option value="minutes">minutes</option>
                <option value="hours">hours</option>
              </select>
            </div>
            {hint('every', 'The time between two runs.')}
          </div>
        );
      case 'daily':
        return timeField();
      case 'weekly':
        return (
          <div className="sch-when-row">
            <fieldset ref={reg('days')} className="field" aria-describedby={hintId('days')} aria-invalid={invalid('days')}>
              <legend className="field-label">Days</legend>
              <div className="sch-days">
                {WEEK.map((w) => (
                  <label key={w.day} className="sch-day">
                    <input
                      type="checkbox"
                      aria-label={w.long}
                      checked={draft.days.includes(w.day)}
                      disabled={busy}
                      onChange={(e) => {
                        change({ days: e.target.checked ? [...draft.days, w.day] : draft.days.filter((d) => d !== w.day) }, ['days']);
                        touch('days');
                      }}
                    />
                    <span aria-hidden="true">{w.short}</span>
                  </label>
                ))}
              </div>
              {hint('days', '')}
            </fieldset>
            {timeField()}
          </div>
        );
      case 'cron':
        return (
          <div className="field">
            <label className="field-label" htmlFor={fieldId('expression')}>
              Cron expression
            </label>
            <input
              {...bind('expression')}
              className="text-input sch-input sch-mono"
              value={draft.expression}
              autoComplete="off"
              spellCheck={false}
              maxLength={200}
              onChange={(e) => change({ expression: e.target.value }, ['expression'])}
            />
            <p id={hintId('expression')} className="field-hint">
              {shown('expression') && <span className="sch-block sch-error-text">{shown('expression')}</span>}
              {CRON_HELP}
            </p>
          </div>
        );
    }
  }

  function timeField(): ReactNode {
    return (
      <div className="field">
        <label className="field-label" htmlFor={fieldId('at')}>
          Time of day
        </label>
        <input
          {...bind('at')}
          type="time"
          className="text-input sch-input sch-time"
          value={draft.at}
          required
          onChange={(e) => change({ at: e.target.value }, ['at'])}
        />
        {hint('at', 'In this computer’s local time.')}
      </div>
    );
  }
}
