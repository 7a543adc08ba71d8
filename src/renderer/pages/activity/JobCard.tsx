import { useId } from 'react';
import { ApiError } from '../../../shared/api/client.ts';
import type { JobDto } from '../../../shared/api/dto.ts';
import { formatDate } from '../../../shared/format.ts';
import { errorText } from '../../api/error-text.ts';
import { ProgressBar, type ProgressTone } from '../../components/ProgressBar.tsx';
import { Sep } from '../../components/Sep.tsx';
import { StatusIcon } from '../../components/StatusIcon.tsx';
import { useBackupsStore } from '../../state/backups-store.ts';
import { useJobsStore } from '../../state/jobs-store.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import { useSchedulesStore } from '../../state/schedules-store.ts';
import { jobFacts, jobPercent, kindLabel, progressValueText, stateLabel, whenText } from './job-view.ts';

const TONES: Record<JobDto['state'], ProgressTone> = { running: 'active', succeeded: 'success', failed: 'danger', cancelled: 'muted' };

function StateIcon({ state }: { state: JobDto['state'] }) {
  const paths: Record<JobDto['state'], string> = {
    running: 'M8 3.5v4.5l3 2',
    succeeded: 'M4.5 8.5l2.3 2.3L11.5 6',
    failed: 'M5.5 5.5l5 5M10.5 5.5l-5 5',
    cancelled: 'M5 8h6',
  };
  return <StatusIcon path={paths[state]} className={`job-icon-${state}`} />;
}

/** What went wrong, in the engine's own words (never a stack). */
function failureText(job: JobDto): string | null {
  if (!job.error) return null;
  if (job.state === 'cancelled' && job.error.code === 'CANCELLED') return 'Stopped before it finished.';
  return errorText(new ApiError(job.error));
}

/** One job: title, state, progress bar, numbers, and its outcome or error. */
export function JobCard({ job }: { job: JobDto }) {
  const titleId = useId();
  const cancelling = useJobsStore((s) => !!s.cancelling[job.id]);
  const cancelError = useJobsStore((s) => s.cancelErrors[job.id]);
  const cancel = useJobsStore((s) => s.cancel);
  const running = job.state === 'running';
  const percent = jobPercent(job);
  const failure = failureText(job);
  const go = useNavigation((s) => s.go);
  const runNow = useSchedulesStore((s) => s.runNow);
  const retryError = useSchedulesStore((s) => (job.schedule ? s.actionErrors[job.schedule] : undefined));
  const retrying = useSchedulesStore((s) => (job.schedule ? s.busy[job.schedule] === 'run' : false));
  const canRetry = !running && job.state !== 'succeeded' && !!job.schedule;
  // The backup is opened on the store the job wrote to (none named: the default store), whatever the Backups page showed.
  const openBackup = () => {
    if (!job.backup) return;
    const target = job.target ?? '';
    useBackupsStore.getState().open(target, job.backup);
    go('backups', { backup: job.backup, ...(target ? { target } : {}) });
  };

  return (
    <article className={`job job-${job.state}`} aria-labelledby={titleId}>
      <div className="status-card-head">
        <StateIcon state={job.state} />
        <div className="status-card-heading">
          <h3 id={titleId} className="status-card-title">
            {job.title}
          </h3>
          <p className="status-card-sub muted small">
            <span className={`job-state job-state-${job.state}`}>{cancelling && running ? 'Cancelling' : stateLabel(job.state)}</span>
            <Sep />
            {kindLabel(job.kind)}
            <Sep />
            started <time dateTime={job.startedAt} title={formatDate(job.startedAt)}>{whenText(job.startedAt)}</time>
          </p>
        </div>
        {running && (
          <button
            type="button"
            className="button job-cancel"
            aria-label={`Cancel ${job.title}`}
            disabled={cancelling}
            onClick={() => void cancel(job.id)}
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>

      <div className="job-progress">
        <ProgressBar label={job.title} percent={percent} valueText={progressValueText(job)} tone={TONES[job.state]} />
        <span className="job-percent" aria-hidden="true">
          {percent === null ? '' : `${percent}%`}
        </span>
      </div>

      <dl className="job-facts status-facts">
        {jobFacts(job).map((f) => (
          <div key={f.label} className="job-fact">
            <dt>{f.label}</dt>
            <dd title={f.value}>{f.value}</dd>
          </div>
        ))}
      </dl>

      {running && job.progress?.current && (
        <p className="job-current muted small" title={job.progress.current}>
          {job.progress.current}
        </p>
      )}
      {job.state === 'succeeded' && job.result && <p className="job-result">{job.result}</p>}
      {failure && (
        <div className={`job-error job-error-${job.state}`}>
          <p>{failure}</p>
        </div>
      )}
      {!running && (job.backup || canRetry) && (
        <div className="job-actions">
          {canRetry && (
            <button type="button" className="button" aria-label={`Retry ${job.title}`} disabled={retrying} onClick={() => void runNow(job.schedule!)}>
              {retrying ? 'Starting…' : 'Retry'}
            </button>
          )}
          {job.backup && (
            <button type="button" className="button" aria-label={`Open the backup ${job.backup}`} onClick={openBackup}>
              Open {job.backup}
            </button>
          )}
        </div>
      )}
      {retryError && canRetry && (
        <p className="job-cancel-error error-message small" role="alert">
          {retryError}
        </p>
      )}
      {cancelError && (
        <p className="job-cancel-error error-message small" role="alert">
          Could not cancel: {cancelError}
        </p>
      )}
    </article>
  );
}
