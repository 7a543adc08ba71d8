import { useEffect, useState } from 'react';
import type { VolumeDto } from '../../../shared/api/dto.ts';
import { BackupDialog } from '../../components/backup-dialog/BackupDialog.tsx';
import { ListErrorPanel } from '../../components/ListErrorPanel.tsx';
import { ListPage } from '../../components/ListPage.tsx';
import { StatePanel } from '../../components/StatePanel.tsx';
import { useBackupsStore } from '../../state/backups-store.ts';
import { useVolumesStore } from '../../state/volumes-store.ts';
import { useEngineName } from './use-engine-name.ts';
import { groupVolumes, type VolumeSort } from './volume-list.ts';
import { VolumeFilesDialog } from './VolumeFilesDialog.tsx';
import { VolumesTable } from './VolumesTable.tsx';
import { VolumesToolbar } from './VolumesToolbar.tsx';

/** What the backup dialog is open for: names only, so it follows the list as it refreshes. */
type BackupTarget = { kind: 'volumes'; names: string[] } | { kind: 'stack'; stack: string };

export function VolumesPage() {
  const { volumes, loading, error, load, watch } = useVolumesStore();
  const [backingUp, setBackingUp] = useState<BackupTarget | null>(null);
  /** Kept while the list refreshes, so an open dialog does not lose its volumes. */
  const [dialogVolumes, setDialogVolumes] = useState<VolumeDto[]>([]);
  const [browsing, setBrowsing] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<VolumeSort>('name');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // The storage target chosen on the Backups page: a backup started here goes there unless changed.
  const shownTarget = useBackupsStore((s) => s.target);
  const engine = useEngineName();

  useEffect(() => {
    void load();
    return watch();
  }, [load, watch]);

  const retry = () => void load();
  const groups = volumes ? groupVolumes(volumes, query, sort) : [];
  // Only volumes that still exist count as selected.
  const chosen = (volumes ?? []).filter((v) => selected.has(v.name));

  const open = (target: BackupTarget) => {
    const list = volumes ?? [];
    setDialogVolumes(target.kind === 'stack' ? list.filter((v) => v.stack === target.stack) : target.names.map((n) => list.find((v) => v.name === n)!).filter(Boolean));
    setBackingUp(target);
  };
  const fresh = dialogVolumes.map((v) => volumes?.find((n) => n.name === v.name) ?? v);
  const select = (names: string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const n of names) {
        if (on) next.add(n);
        else next.delete(n);
      }
      return next;
    });

  return (
    <>
      <ListPage
        title="Volumes"
        description={`The Docker volumes on ${engine ? `engine ${engine}` : 'this engine'}, grouped by Compose stack, and when each was last backed up.`}
        loading={loading}
        hasData={!!volumes}
        error={error}
        onRefresh={retry}
      >
        {body()}
      </ListPage>
      {backingUp && fresh[0] && (
        <BackupDialog
          key={backingUp.kind === 'stack' ? `stack:${backingUp.stack}` : backingUp.names.join(',')}
          volume={fresh[0]}
          {...(backingUp.kind === 'stack' ? { stack: { name: backingUp.stack, volumes: fresh } } : { together: fresh.slice(1) })}
          target={shownTarget}
          onClose={() => setBackingUp(null)}
        />
      )}
      {browsing && <VolumeFilesDialog volume={browsing} onClose={() => setBrowsing(null)} />}
    </>
  );

  function body() {
    if (volumes?.length) {
      return (
        <>
          <VolumesToolbar
            query={query}
            onQuery={setQuery}
            sort={sort}
            onSort={setSort}
            selected={chosen.map((v) => v.name)}
            shown={groups.flatMap((g) => g.volumes.map((v) => v.name))}
            onSelect={select}
            onBackUpSelected={() => open({ kind: 'volumes', names: chosen.map((v) => v.name) })}
          />
          {groups.length ? (
            <VolumesTable
              groups={groups}
              selected={selected}
              onSelect={select}
              onBackUp={(v) => open({ kind: 'volumes', names: [v.name] })}
              onBackUpStack={(stack) => open({ kind: 'stack', stack })}
              onBrowse={(v) => setBrowsing(v.name)}
            />
          ) : (
            <StatePanel kind="empty" title="No volume matches">
              <p className="muted">Nothing named “{query.trim()}”, in a stack of that name or used by such a container.</p>
            </StatePanel>
          )}
        </>
      );
    }
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
