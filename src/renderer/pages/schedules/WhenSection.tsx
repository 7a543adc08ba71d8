import type { ReactNode } from 'react';
import { CRON_HELP } from './cron.ts';
import { WEEK } from './describe.ts';
import type { Draft, WhenKind } from './draft.ts';
import type { EditorForm } from './use-editor-form.tsx';

const KINDS: { kind: WhenKind; label: string }[] = [
  { kind: 'interval', label: 'Interval' },
  { kind: 'daily', label: 'Daily' },
  { kind: 'weekly', label: 'Weekly' },
  { kind: 'cron', label: 'Cron' },
];

/** When the schedule runs: how it repeats, then that kind's fields (interval, time of day, days, cron expression). */
export function WhenSection({ form }: { form: EditorForm }) {
  const { draft, busy, id, change } = form;
  return (
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
      <div className="sch-when-body">
        <WhenFields form={form} />
      </div>
    </section>
  );
}

function WhenFields({ form }: { form: EditorForm }): ReactNode {
  const { draft, busy, fieldId, hintId, textInput, numberInput, reg, invalid, hint, shown, change, touch } = form;
  switch (draft.kind) {
    case 'interval':
      return (
        <div className="field">
          <label className="field-label" htmlFor={fieldId('every')}>
            Every
          </label>
          <div className="sch-inline">
            <input
              {...numberInput('every')}
              value={draft.every}
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
      return timeField(form);
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
          {timeField(form)}
        </div>
      );
    case 'cron':
      return (
        <div className="field">
          <label className="field-label" htmlFor={fieldId('expression')}>
            Cron expression
          </label>
          <input
            {...textInput('expression')}
            className="text-input sch-input sch-mono"
            value={draft.expression}
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

/** The time of day (daily and weekly); a plain function, so its field sits in the tree as it did inline. */
function timeField(form: EditorForm): ReactNode {
  const { draft, fieldId, bind, hint, change } = form;
  return (
    <div className="field">
      <label className="field-label" htmlFor={fieldId('at')}>
        Time of day
      </label>
      <input {...bind('at')} type="time" className="text-input sch-input sch-time" value={draft.at} required onChange={(e) => change({ at: e.target.value }, ['at'])} />
      {hint('at', 'In this computer’s local time.')}
    </div>
  );
}
