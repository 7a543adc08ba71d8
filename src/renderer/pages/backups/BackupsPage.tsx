import { useEffect } from 'react';
import { ListErrorPanel } from '../../components/ListErrorPanel.tsx';
import { ListPage } from '../../components/ListPage.tsx';
import { StatePanel } from '../../components/StatePanel.tsx';
import { TargetPicker } from '../../components/TargetPicker.tsx';
import { useBackupsStore } from '../../state/backups-store.ts';
import { BackupsTable } from './BackupsTable.tsx';
import './backups.css';

/** Every backup in the chosen store, its versions, and testing, verifying, restoring or deleting them. */
export function BackupsPage() {
  const target = useBackupsStore((s) => s.target);
  const chooseTarget = useBackupsStore((s) => s.chooseTarget);
  const backups = useBackupsStore((s) => s.backups);
  const loading = useBackupsStore((s) => s.loading);
  const error = useBackupsStore((s) => s.error);
  const load = useBackupsStore((s) => s.load);
  const watch = useBackupsStore((s) => s.watch);
  const syncJobs = useBackupsStore((s) => s.syncJobs);

  useEffect(() => {
    const stop = watch();
    void load();
    void syncJobs();
    for (const backup of useBackupsStore.getState().expanded) void useBackupsStore.getState().loadVersions(backup);
    return stop;
  }, [load, watch, syncJobs]);

  const retry = () => void load();

  return (
    <ListPage
      title="Backups"
      description="Your backups and their versions. Open one to restore, test or verify it."
      loading={loading}
      hasData={!!backups}
      error={error}
      onRefresh={retry}
    >
      <TargetPicker value={target} onChange={chooseTarget} />
      {body()}
    </ListPage>
  );

  function body() {
    if (backups?.length) return <BackupsTable backups={backups} />;
    if (backups) {
      return (
        <StatePanel kind="empty" title={target ? `No backups on ${target} yet` : 'No backups yet'}>
          <p className="muted">Back up a volume from the Volumes page, or with dvom backup; its backups appear here.</p>
        </StatePanel>
      );
    }
    if (error) {
      return <ListErrorPanel what={target ? `the backups on ${target}` : 'backups'} error={error} loading={loading} onRetry={retry} />;
    }
    return <StatePanel kind="loading" title="Loading backups…" />;
  }
}
