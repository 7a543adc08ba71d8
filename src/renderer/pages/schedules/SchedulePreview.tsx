import { useEffect, useId, useState } from 'react';
import type { ParamsOf, SchedulePreview as PreviewResult } from '../../../shared/api/contract.ts';
import type { Retention, ScheduleWhen } from '../../../shared/schedule.ts';
import { api } from '../../api/api.ts';
import { errorText } from '../../api/error-text.ts';
import { relativeTime } from '../../../shared/format.ts';
import { foreignRemovals, originWords } from '../../components/origin-words.ts';
import { runTime, versionTime } from './describe.ts';

/** How long typing must pause before the engine is asked. */
export const PREVIEW_DEBOUNCE_MS = 300;

interface Props {
  /** null while the timing fields have a problem. */
  when: ScheduleWhen | null;
  whenProblem: string | null;
  retention: Retention | undefined;
  /** The backup's name when it exists in the chosen store (its versions are previewed). */
  backup: string | undefined;
  /** Whether the backup name is one of an existing backup; null while that is not known. */
  backupExists: boolean | null;
  backupName: string;
  target: string;
  /** The schedule's name when it is valid (versions it made are told apart by it). */
  schedule?: string | undefined;
  /** The rules see only the versions this schedule made. */
  ownVersionsOnly: boolean;
}

/** The engine's rule names, as the Keep fields call them. */
const RULE_WORDS: Record<string, string> = { last: 'Last', hourly: 'Hourly', daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly', yearly: 'Yearly' };

type State =
  | { kind: 'idle' }
  | { kind: 'ready'; key: string; result: PreviewResult }
  | { kind: 'error'; key: string; error: string };

function zone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return '';
  }
}

/**
 * The next five run times (in local time) and which versions of the backup
 * the retention rules would keep, asked from the engine as the form changes
 * (debounced; an answer to an older form is dropped).
 */
export function SchedulePreview({ when, whenProblem, retention, backup, backupExists, backupName, target, schedule, ownVersionsOnly }: Props) {
  const headingId = useId();
  const runsId = useId();
  const keepId = useId();
  const params: ParamsOf<'schedules.preview'> | null = when
    ? {
        when,
        ...(retention ? { retention } : {}),
        ...(backup ? { backup } : {}),
        ...(target ? { target } : {}),
        ...(schedule ? { schedule } : {}),
        ownVersionsOnly,
      }
    : null;
  const key = params ? JSON.stringify(params) : '';
  const [state, setState] = useState<State>({ kind: 'idle' });

  useEffect(() => {
    if (!key) return;
    let live = true;
    const timer = window.setTimeout(() => {
      api()
        .call('schedules.preview', JSON.parse(key) as ParamsOf<'schedules.preview'>)
        .then(
          (result) => live && setState({ kind: 'ready', key, result }),
          (err: unknown) => live && setState({ kind: 'error', key, error: errorText(err) }),
        );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [key]);

  const current = state.kind !== 'idle' && state.key === key;
  const updating = !!key && !current;
  // While a new answer is on its way the last one stays, dimmed: nothing jumps.
  const shown = state.kind === 'ready' ? state.result : null;
  const error = state.kind === 'error' && current ? state.error : null;
  const tz = zone();

  return (
    <aside className="sch-preview" aria-labelledby={headingId}>
      <div className="sch-preview-head">
        <h2 id={headingId}>Preview</h2>
        <span className="sch-preview-status muted small" role="status">
          {updating && !whenProblem ? 'Updating…' : ''}
        </span>
      </div>

      <section className="sch-preview-part" aria-labelledby={runsId}>
        <h3 id={runsId}>Next runs</h3>
        {whenProblem ? (
          <p className="sch-preview-note sch-error-text">{whenProblem}</p>
        ) : error ? (
          <p className="sch-preview-note sch-error-text" role="alert">
            {error}
          </p>
        ) : shown ? (
          shown.nextRuns.length ? (
            <ol className={`sch-runs${updating ? ' is-stale' : ''}`} aria-label="Next runs">
              {shown.nextRuns.slice(0, 5).map((iso) => (
                <li key={iso}>
                  <time dateTime={iso}>{runTime(iso)}</time>
                  <span className="muted small">{relativeTime(iso) ?? ''}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="sch-preview-note muted">It would never run: no date matches these settings.</p>
          )
        ) : (
          <p className="sch-preview-note muted">Working out the next run times…</p>
        )}
        {tz && <p className="field-hint">Times are in this computer’s time zone ({tz}).</p>}
      </section>

      <section className="sch-preview-part" aria-labelledby={keepId}>
        <h3 id={keepId}>Versions kept</h3>
        {keepBody()}
      </section>
    </aside>
  );

  function keepBody() {
    if (!retention) return <p className="sch-preview-note muted">Every version is kept: no rule above 0 is set under Keep.</p>;
    const name = backupName.trim();
    if (!backup) {
      if (backupExists === null && name) return <p className="sch-preview-note muted">Looking for “{name}” in the store…</p>;
      return (
        <p className="sch-preview-note muted">
          {name ? `“${name}” has no versions yet. ` : ''}Once the backup has versions, this shows which ones the rules keep.
        </p>
      );
    }
    if (whenProblem) return <p className="sch-preview-note muted">Shown once the timing above is fixed.</p>;
    if (!shown) return error ? null : <p className="sch-preview-note muted">Working out which versions are kept…</p>;
    const r = shown.retention;
    if (!r) return <p className="sch-preview-note muted">No versions of “{name}” to show yet.</p>;
    const total = r.keep.length + r.remove.length;
    const foreign = foreignRemovals(r.remove, schedule);
    if (r.originsUnknown && r.untouched !== undefined) {
      return (
        <p className="sch-preview-note muted">
          Which versions of “{name}” this schedule made is stored encrypted, and its password is not remembered here, so this cannot show which ones its rules
          would remove. Its runs remove only versions it made.
        </p>
      );
    }
    if (!total && r.untouched) {
      return (
        <p className="sch-preview-note muted">
          This schedule has made no versions of “{name}” yet, so its rules remove none. The {r.untouched} {r.untouched === 1 ? 'version' : 'versions'} there{' '}
          {r.untouched === 1 ? 'stays' : 'stay'}: the rules apply only to versions this schedule made.
        </p>
      );
    }
    return (
      <div className={`sch-keep${updating ? ' is-stale' : ''}`}>
        <p className="sch-keep-summary">
          Of {total} {total === 1 ? 'version' : 'versions'} {r.untouched !== undefined ? 'this schedule made' : `of “${name}”`}, {r.keep.length}{' '}
          {r.keep.length === 1 ? 'is' : 'are'} kept
          {r.remove.length ? ` and ${r.remove.length} would be removed after the next run.` : ': none would be removed.'}
        </p>
        {!!r.untouched && (
          <p className="sch-preview-note muted">
            {r.untouched} other {r.untouched === 1 ? 'version' : 'versions'} (made by hand, from the command line, by another schedule or before DVOM recorded
            who made them) {r.untouched === 1 ? 'stays' : 'stay'}: the rules apply only to versions this schedule made.
          </p>
        )}
        {foreign && (
          <p className="sch-keep-warning" role="alert">
            <strong>
              {foreign.total === 1 ? '1 version' : `${foreign.total} versions`} this schedule did not make would be removed
            </strong>
            {': '}
            {foreignParts(foreign).join(', ')}. Turn on “Only versions this schedule made” under Keep to leave them.
          </p>
        )}
        <ul className="sch-versions" aria-label="Kept versions" tabIndex={r.keep.length > 6 ? 0 : undefined}>
          {r.keep.map((v) => (
            <li key={v.id} className="sch-version">
              <time dateTime={v.createdAt} title={v.id}>
                {versionTime(v.createdAt)}
              </time>
              <span className="sch-reasons">
                {v.reasons.map((reason) => (
                  <span key={reason} className="sch-reason">
                    {RULE_WORDS[reason] ?? reason}
                  </span>
                ))}
              </span>
            </li>
          ))}
        </ul>
        {r.remove.length > 0 && (
          <>
            <h4 className="sch-remove-title">Would be removed</h4>
            <ul className="sch-versions sch-versions-removed" aria-label="Versions that would be removed" tabIndex={r.remove.length > 6 ? 0 : undefined}>
              {r.remove.map((v) => (
                <li key={v.id} className="sch-version">
                  <time dateTime={v.createdAt} title={v.id}>
                    {versionTime(v.createdAt)}
                  </time>
                  <span className="muted small">{originWords(v.origin)}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }
}

/** Who made the versions a run would remove although this schedule did not. */
function foreignParts(f: NonNullable<ReturnType<typeof foreignRemovals>>): string[] {
  const parts: string[] = [];
  if (f.byHand) parts.push(`${f.byHand} made by hand or from the command line`);
  if (f.otherSchedules) parts.push(`${f.otherSchedules} made by another schedule`);
  if (f.unknown) parts.push(`${f.unknown} whose maker is not known (made before DVOM recorded it, or the password is not remembered)`);
  return parts;
}
