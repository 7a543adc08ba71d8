import { useEffect, useState } from 'react';
import type { VolumeDto } from '../../../shared/api/dto.ts';
import { BackupDialog } from '../../components/backup-dialog/BackupDialog.tsx';
import { ListErrorPanel } from '../../components/ListErrorPanel.tsx';
import { ListPage } from '../../components/ListPage.tsx';
import { StatePanel } from '../../components/StatePanel.tsx';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { VolumesTable } from './VolumesTable.tsx';

export function VolumesPage() {
  const { volumes, loading, error, load, watch } = useVolumesStore();
  /** The volume whose backup dialog is open; its latest listing is used while the list refreshes. */
  const [backingUp, setBackingUp] = useState<VolumeDto | null>(null);
  const dialogVolume = backingUp && (volumes?.find((v) => v.name === backingUp.name) ?? backingUp);

  useEffect(() => {
    void load();
    return watch();
  }, [load, watch]);

  const retry = () => void load();

  return (
    <>
      <ListPage
        title="Volumes"
        description="The Docker volumes on this engine and when each was last backed up."
        loading={loading}
        hasData={!!volumes}
        error={error}
        onRefresh={retry}
      >
        {body()}
      </ListPage>
      {dialogVolume && <BackupDialog key={dialogVolume.name} volume={dialogVolume} onClose={() => setBackingUp(null)} />}
    </>
  );

  function body() {
    if (volumes?.length) return <VolumesTable volumes={volumes} onBackUp={setBackingUp} />;
    if (volumes) {
      return (
        <StatePanel kind="empty" title="No Docker volumes">
          <p className="muted">Volumes created with docker volume create or Docker Compose appear here.</p>
        </StatePanel>
      );
    }
    if (error) {
      return <ListErrorPanel what="volumes" error={error} loading={loading} onRetry={retry} />;
    }
    return <StatePanel kind="loading" title="Loading volumes…" />;
  }
}
