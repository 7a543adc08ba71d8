import { useId } from 'react';
import { formatDate, relativeTime } from '../../../shared/format.ts';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { useSchedulesStore } from '../../state/schedules-store.ts';
import { Sep } from '../../components/Sep.tsx';
import { StatusIcon } from '../../components/StatusIcon.tsx';
import { Switch } from '../../components/Switch.tsx';
import { describeRetention, describeWhat, describeWhen, OUTCOME_LABEL, runTime, whenText } from './describe.ts';

interface Props {
  schedule: ScheduleStatus;
  /** Every schedule is paused. */
  paused: boolean;
  onRunNow(name: string): void;
  onEdit(schedule: ScheduleStatus): void;
  onDelete(schedule: ScheduleStatus): void;
  onRememberPassword(schedule: ScheduleStatus): void;
}

type Tone = 'ok' | 'failed' | 'skipped' | 'running' | 'never';

function Icon({ tone }: { tone: Tone }) {
  const paths: Record<Tone, string> = {
    ok: 'M4.5 8.5l2.3 2.3L11.5 6',
    failed: 'M5.5 5.5l5 5M10.5 5.5l-5 5',
    skipped: 'M5 8h6',
    running: 'M8 4.5v3.5l2.5 1.5',
    never: 'M8 5.2a2.8 2.8 0 1 1 0 5.6a2.8 2.8 0 1 1 0-5.6',
  };
  return <StatusIcon path={paths[tone]} className={`sch-icon-${tone}`} />;
}

/** One schedule: what it backs up, when, its next run and last result, and its controls. */
export function ScheduleCard({ schedule: s, paused, onRunNow, onEdit, onDelete, onRememberPassword }: Props) {
  const titleId = useId();
  const busy = useSchedulesStore((st) => st.busy[s.name]);
  const actionError = useSchedulesStore((st) => st.actionErrors[s.name]);
  const setEnabled = useSchedulesStore((st) => st.setEnabled);
  // While the switch's request is on its way it shows what was asked for.
  const enabled = busy === 'enable' ? true : busy === 'disable' ? false : s.enabled;
  const running = s.running || busy === 'run';
  const last = s.lastRun;
  const tone: Tone = s.running ? 'running' : !last ? 'never' : last.outcome === 'succeeded' ? 'ok' : last.outcome;

  return (
    <article className={`sch-card${enabled ? '' : ' is-off'}${s.running ? ' is-running' : ''}`} aria-labelledby={titleId}>
      <div className="status-card-head">
        <Icon tone={tone} />
        <div className="status-card-heading">
          <h2 id={titleId} className="status-card-title sch-card-title" tabIndex={-1} data-schedule={s.name}>
            {s.name}
          </h2>
          <p className="status-card-sub sch-card-sub muted small">
            <span className="sch-card-what">
              {describeWhat(s)} → {s.backup}
            </span>
            <Sep />
            {s.target ?? 'default store'}
          </p>
        </div>
        <div className="sch-card-actions">
          <Switch compact label="Enabled" name={`${s.name} enabled`} checked={enabled} disabled={!!busy && busy !== 'run'} onChange={(on) => void setEnabled(s.name, on)} />
          <button type="button" className="button sch-run" aria-label={`Run ${s.name} now`} disabled={running || busy === 'remove'} onClick={() => onRunNow(s.name)}>
            {busy === 'run' ? 'Starting…' : s.running ? 'Running…' : 'Run now'}
          </button>
          <button type="button" className="button" aria-label={`Edit ${s.name}`} data-edit={s.name} disabled={busy === 'remove'} onClick={() => onEdit(s)}>
            Edit
          </button>
          <button type="button" className="button sch-danger" aria-label={`Delete ${s.name}`} disabled={!!busy} onClick={() => onDelete(s)}>
            Delete
          </button>
        </div>
      </div>

      <dl className="sch-facts status-facts">
        <div className="sch-fact">
          <dt>Runs</dt>
          <dd title={describeWhen(s.when)}>{describeWhen(s.when)}</dd>
        </div>
        <div className="sch-fact">
          <dt>Next run</dt>
          <dd>{nextRun()}</dd>
        </div>
        <div className="sch-fact">
          <dt>Last run</dt>
          <dd>
            {last ? (
              <>
                <span className={`sch-outcome sch-outcome-${last.outcome}`}>{OUTCOME_LABEL[last.outcome]}</span>{' '}
                <time className="muted" dateTime={last.at} title={formatDate(last.at)}>
                  {whenText(last.at)}
                </time>
              </>
            ) : (
              <span className="muted">Not run yet</span>
            )}
          </dd>
        </div>
        <div className="sch-fact">
          <dt>Keeps</dt>
          <dd title={describeRetention(s.retention)}>{describeRetention(s.retention)}</dd>
        </div>
      </dl>

      {s.passwordMissing && (
        <div className="sch-warning">
          <p>
            <strong>Runs will fail: the password of “{s.backup}” is not remembered on this computer.</strong> The backup is encrypted, and a scheduled run has
            nobody to type the password, so DVOM needs it in the keychain. Remember it here, or back up a volume to “{s.backup}” once from the Volumes page
            with “Remember in keychain” ticked (on the command line: <code>{`dvom verify ${s.backup}${s.target ? ` --target=${s.target}` : ''} --remember-password`}</code>).
          </p>
          <button type="button" className="button" aria-label={`Remember the password of ${s.backup}`} onClick={() => onRememberPassword(s)}>
            Remember password…
          </button>
        </div>
      )}

      {/* Runs fail for want of the password until it is remembered: the warning above says so once, with what to do. */}
      {last && last.message && !(s.passwordMissing && last.outcome === 'failed') && (
        <p className={`sch-last sch-last-${last.outcome}`}>
          <span className="sr-only">Last run {OUTCOME_LABEL[last.outcome].toLowerCase()}: </span>
          {last.message.charAt(0).toUpperCase() + last.message.slice(1)}
        </p>
      )}

      {actionError && (
        <p className="sch-action-error" role="alert">
          {actionError}
        </p>
      )}
    </article>
  );

  function nextRun() {
    if (s.running) return <span className="sch-outcome sch-outcome-running">Running now</span>;
    if (!enabled) return <span className="muted">Off: runs only with Run now</span>;
    if (paused) return <span className="muted">Paused with all schedules</span>;
    if (!s.nextRun) return <span className="muted">None planned</span>;
    return (
      <>
        <time className="sch-block" dateTime={s.nextRun} title={formatDate(s.nextRun)}>
          {runTime(s.nextRun)}
        </time>
        {relativeTime(s.nextRun) && <span className="sch-block muted small">{relativeTime(s.nextRun)}</span>}
      </>
    );
  }
}
