import type { JobDto } from '../../../shared/api/dto.ts';
import { formatBytes, formatDuration, percentOf, plural } from '../../../shared/format.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import { useRestoreStore, type RestoreRequest } from '../../state/restore-store.ts';
import { friendlyJobError } from '../backups/errors.ts';
import { CheckIcon, WarningIcon } from '../../components/icons.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { stepText } from '../activity/job-view.ts';
import { destinationOf } from './derive.ts';

const PHASES: Record<string, string> = {
  preparing: 'Preparing…',
  scanning: 'Reading the version…',
  restoring: 'Restoring files…',
  verifying: 'Verifying…',
  finalizing: 'Finishing…',
  // The data is in; the engine is closing the volume and cleaning up.
  done: 'Finishing…',
  writing: 'Writing the verified files…',
};

/** The restore running: a progress bar from the job's events, and Cancel. */
export function ProgressView({ job, request }: { job: JobDto | null; request: RestoreRequest }) {
  const cancel = useRestoreStore((s) => s.cancel);
  const p = job?.progress ?? null;
  const pct = percentOf(p) ?? 0;
  // The engine's totals count the whole version; for chosen files only what is done is meaningful.
  const partial = !!request.paths?.length;
  const files = p ? (p.filesTotal && !partial ? `${p.filesDone.toLocaleString()} of ${plural(p.filesTotal, 'file')}` : plural(p.filesDone, 'file')) : '';
  const bytes = p ? (p.bytesTotal && !partial ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : formatBytes(p.bytesDone)) : '';
  const eta = p?.etaSeconds && p.phase === 'restoring' && !partial ? `about ${formatDuration(p.etaSeconds)} left` : '';
  return (
    <section className="br-run-panel" aria-labelledby="restore-run-title">
      <h2 id="restore-run-title" className="br-run-title br-wrap">
        Restoring into {destinationOf(request)}…
      </h2>
      <ProgressBar label="Restore progress" percent={pct} valueText={`${pct}%${files ? `, ${files}` : ''}`} />
      <p className="br-run-detail">
        <span>{(p && stepText(p, 'restore')) ?? PHASES[p?.phase ?? 'preparing'] ?? 'Working…'}</span>
        <span className="muted">{[files, bytes, eta].filter(Boolean).join(' · ')}</span>
      </p>
      <div className="br-run-actions">
        <button type="button" className="button" onClick={() => void cancel()}>
          Cancel restore
        </button>
      </div>
    </section>
  );
}

/** How the restore ended: what was restored and verified, or the error in words. */
export function ResultView({ job, request }: { job: JobDto; request: RestoreRequest }) {
  const reset = useRestoreStore((s) => s.reset);
  const backToReview = useRestoreStore((s) => s.backToReview);
  const go = useNavigation((s) => s.go);
  const again = () => reset({ backup: request.backup, version: request.version ?? null });

  if (job.state === 'succeeded') {
    const p = job.progress;
    return (
      <section className="br-run-panel br-result-ok" aria-labelledby="restore-result-title">
        <h2 id="restore-result-title" className="br-run-title br-with-icon">
          <CheckIcon className="br-status-icon br-result-icon" />
          Restore finished
        </h2>
        <dl className="br-summary" aria-label="Result">
          <dt>Into</dt>
          <dd className="br-wrap">{destinationOf(request)}</dd>
          {p && (
            <>
              <dt>Files</dt>
              <dd>{p.filesDone.toLocaleString()}</dd>
              <dt>Data</dt>
              <dd>{formatBytes(p.bytesDone)}</dd>
            </>
          )}
          <dt>Check</dt>
          <dd className="br-verified-yes">All hashes verified</dd>
        </dl>
        {/* The engine's summary counts the whole version, or (a merge) what was written and kept: not shown for chosen files otherwise. */}
        {job.result && (!request.paths?.length || request.mode === 'merge') && <p className="muted small br-wrap">{job.result}</p>}
        <div className="br-run-actions">
          <button type="button" className="button button-primary" onClick={() => go('volumes')}>
            Show volumes
          </button>
          <button type="button" className="button" onClick={again}>
            New restore
          </button>
        </div>
      </section>
    );
  }

  if (job.state === 'cancelled') {
    return (
      <section className="br-run-panel" aria-labelledby="restore-result-title">
        <h2 id="restore-result-title" className="br-run-title">
          Restore cancelled
        </h2>
        {/* Cancelled while writing into the destination (a merge stops between files): its message says which were written. */}
        <p className="br-wrap">
          {job.progress?.phase === 'writing' && job.error
            ? friendlyJobError(job.error)
            : `Nothing was changed in ${destinationOf(request)}.`}
        </p>
        <div className="br-run-actions">
          <button type="button" className="button button-primary" onClick={backToReview}>
            Back to review
          </button>
          <button type="button" className="button" onClick={again}>
            New restore
          </button>
        </div>
      </section>
    );
  }

  const notEmpty = job.error?.code === 'DESTINATION_NOT_EMPTY';
  return (
    <section className="br-run-panel br-result-failed" aria-labelledby="restore-result-title">
      <h2 id="restore-result-title" className="br-run-title br-with-icon">
        <WarningIcon className="br-status-icon br-result-icon" />
        The restore failed
      </h2>
      <p className="error-message br-wrap" role="alert">
        {notEmpty
          ? `${destinationOf(request)} is not empty, so nothing was restored into it. To replace its contents, go back and confirm.`
          : friendlyJobError(job.error)}
      </p>
      <div className="br-run-actions">
        <button type="button" className="button button-primary" onClick={backToReview}>
          {notEmpty ? 'Back to confirm' : 'Back to review'}
        </button>
        <button type="button" className="button" onClick={again}>
          New restore
        </button>
      </div>
    </section>
  );
}
