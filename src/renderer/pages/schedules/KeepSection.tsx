import { Switch } from '../../components/Switch.tsx';
import { RETENTION_KEYS, type RetentionKey } from './draft.ts';
import type { EditorForm } from './use-editor-form.tsx';

const RETENTION_LABELS: Record<RetentionKey, string> = { last: 'Last', hourly: 'Hourly', daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly', yearly: 'Yearly' };

/** What to keep: how many versions each retention rule keeps (empty: all). */
export function KeepSection({ form }: { form: EditorForm }) {
  const { draft, busy, id, fieldId, hintId, numberInput, shown, change } = form;
  return (
    <section className="sch-section" aria-labelledby={`${id}-keep`}>
      <h2 id={`${id}-keep`}>Keep</h2>
      <p className="sch-section-text muted">
        After each scheduled backup, versions that no rule keeps are removed. <em>Last</em> keeps the newest versions; <em>Daily</em> keeps the newest
        version of each of that many days, and so on. Until you change them, the rules follow how often the schedule runs (24 hourly versions
        when it runs several times a day). Leave every box empty to keep all versions.
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
                {...numberInput(f)}
                aria-label={`Keep ${RETENTION_LABELS[k].toLowerCase()}`}
                value={draft.retention[k]}
                placeholder="—"
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
      <Switch
        label="Only versions this schedule made"
        description="The rules never remove versions made by hand, from the command line or by another schedule. When off, they apply to every version of the backup."
        checked={draft.ownVersionsOnly}
        disabled={busy}
        onChange={(on) => change({ ownVersionsOnly: on })}
      />
    </section>
  );
}
