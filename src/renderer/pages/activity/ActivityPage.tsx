import { useEffect, useRef, useState } from 'react';
import type { JobDto } from '../../../shared/api/dto.ts';
import { ListErrorPanel } from '../../components/ListErrorPanel.tsx';
import { ListPage } from '../../components/ListPage.tsx';
import { StatePanel } from '../../components/StatePanel.tsx';
import { useJobsStore } from '../../state/jobs-store.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import { JobCard } from './JobCard.tsx';
import { stateLabel } from './job-view.ts';
import './activity.css';

/** Says (to screen readers) when a job this page watched has finished. */
function useFinishAnnouncement(jobs: JobDto[] | null): string {
  const seen = useRef(new Map<string, JobDto['state']>());
  const [message, setMessage] = useState('');
  useEffect(() => {
    if (!jobs) return;
    const finished: string[] = [];
    for (const job of jobs) {
      const before = seen.current.get(job.id);
      if (before === 'running' && job.state !== 'running') finished.push(`${job.title}: ${stateLabel(job.state).toLowerCase()}.`);
      seen.current.set(job.id, job.state);
    }
    if (finished.length) setMessage(finished.join(' '));
  }, [jobs]);
  return message;
}

/** Every running and finished job, newest first, with live progress. */
export function ActivityPage() {
  const { jobs, loading, error, load, watch } = useJobsStore();
  const go = useNavigation((s) => s.go);
  const announcement = useFinishAnnouncement(jobs);

  useEffect(() => {
    // Subscribe first, so no update between the list and the subscription is lost.
    const unsubscribe = watch();
    void load();
    return unsubscribe;
  }, [load, watch]);

  const retry = () => void load();
  const runningCount = jobs?.filter((j) => j.state === 'running').length ?? 0;

  return (
    <ListPage
      title="Activity"
      description="Backups, restores and checks: what is running now and what ran before."
      loading={loading}
      hasData={!!jobs}
      error={error}
      onRefresh={retry}
    >
      {body()}
      <p className="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
    </ListPage>
  );

  function body() {
    if (jobs?.length) {
      const summary = [runningCount ? `${runningCount} running` : 'Nothing running', `${jobs.length - runningCount} finished`];
      return (
        <section className="activity" aria-labelledby="activity-jobs-title">
          <h2 id="activity-jobs-title" className="activity-summary muted" aria-label={summary.join(', ')}>
            {summary.join(' · ')}
          </h2>
          <ul className="job-list" aria-label="Jobs">
            {jobs.map((job) => (
              <li key={job.id}>
                <JobCard job={job} />
              </li>
            ))}
          </ul>
        </section>
      );
    }
    if (jobs) {
      return (
        <StatePanel kind="empty" title="No activity yet">
          <p className="muted">Backups, restores and checks you start appear here with their progress, and stay listed when they finish.</p>
          <button type="button" className="button" onClick={() => go('volumes')}>
            Back up a volume
          </button>
        </StatePanel>
      );
    }
    if (error) {
      return <ListErrorPanel what="jobs" error={error} loading={loading} onRetry={retry} />;
    }
    return <StatePanel kind="loading" title="Loading activity…" />;
  }
}
