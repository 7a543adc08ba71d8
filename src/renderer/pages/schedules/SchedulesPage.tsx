import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { ListErrorPanel } from '../../components/ListErrorPanel.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { RefreshFailedBanner } from '../../components/RefreshFailedBanner.tsx';
import { StatePanel } from '../../components/StatePanel.tsx';
import { Switch } from '../../components/Switch.tsx';
import { usePassingMessage } from '../../components/use-passing-message.ts';
import { useNavigation } from '../../state/navigation-store.ts';
import { useSchedulesStore } from '../../state/schedules-store.ts';
import { DeleteScheduleDialog } from './DeleteScheduleDialog.tsx';
import { RememberPasswordDialog } from './RememberPasswordDialog.tsx';
import { ScheduleCard } from './ScheduleCard.tsx';
import { ScheduleEditor } from './ScheduleEditor.tsx';
// The shared field styles first: schedules.css adjusts some of them.
import '../../components/form-fields.css';
import './schedules.css';

type Editing = { mode: 'new' } | { mode: 'edit'; schedule: ScheduleStatus };
/** Where focus goes when the list shows again: the New button, or a schedule's title or Edit button. */
type FocusTarget = { kind: 'new' } | { kind: 'title' | 'edit'; name: string };

/** Scheduled backups: the list with next run and last result, Pause all, and the editor. */
export function SchedulesPage() {
  const { schedules, paused, loading, error, pausing, pauseError, load, watch, pauseAll, runNow } = useSchedulesStore();
  const go = useNavigation((s) => s.go);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<ScheduleStatus | null>(null);
  const [remembering, setRemembering] = useState<ScheduleStatus | null>(null);
  const [message, announce] = usePassingMessage();
  const [focusTarget, setFocusTarget] = useState<FocusTarget | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const unwatch = watch();
    void load();
    return unwatch;
  }, [load, watch]);

  // Back on the list, focus returns to what opened the editor (or to what was saved).
  useLayoutEffect(() => {
    if (!focusTarget || editing) return;
    const root = rootRef.current;
    const el =
      focusTarget.kind === 'new'
        ? root?.querySelector<HTMLElement>('[data-new-schedule]')
        : root?.querySelector<HTMLElement>(`[data-${focusTarget.kind === 'title' ? 'schedule' : 'edit'}="${CSS.escape(focusTarget.name)}"]`);
    el?.focus();
    setFocusTarget(null);
  });

  const retry = () => void load();
  const openNew = () => setEditing({ mode: 'new' });

  if (editing) {
    const original = editing.mode === 'edit' ? editing.schedule : null;
    return (
      <div className="sch-page" ref={rootRef}>
        <ScheduleEditor
          key={original?.name ?? '\u0000new'}
          initial={original}
          taken={(schedules ?? []).map((s) => s.name).filter((n) => n !== original?.name)}
          onCancel={() => {
            setEditing(null);
            setFocusTarget(original ? { kind: 'edit', name: original.name } : { kind: 'new' });
          }}
          onSaved={(status) => {
            setEditing(null);
            setFocusTarget({ kind: 'title', name: status.name });
            announce(`Saved ${status.name}.`);
          }}
        />
      </div>
    );
  }

  const shownPaused = pausing ?? paused ?? false;
  const newButton = (
    <button type="button" className="button button-primary" data-new-schedule onClick={openNew}>
      New schedule
    </button>
  );

  return (
    <div className="sch-page" ref={rootRef}>
      <PageHeader
        title="Schedules"
        description="Backups that run on their own, and how many versions they keep."
        status={loading && schedules ? 'Refreshing…' : message}
        actions={
          <>
            <button type="button" className="button" onClick={retry} disabled={loading}>
              Refresh
            </button>
            {newButton}
          </>
        }
      />

      {schedules && paused !== null && (schedules.length > 0 || paused) && (
        <section className={`sch-pausebar${shownPaused ? ' is-paused' : ''}`} aria-label="All schedules">
          <Switch
            label="Pause all schedules"
            description={
              shownPaused
                ? 'Paused: no schedule starts on its own until you turn this off. Run now still works.'
                : 'Schedules run at their times. Turn this on to hold them all, e.g. during maintenance.'
            }
            checked={shownPaused}
            disabled={pausing !== null}
            onChange={(on) => void pauseAll(on)}
          />
          <p className="sch-action-error" role="alert">
            {pauseError ?? ''}
          </p>
        </section>
      )}

      {schedules && error && <RefreshFailedBanner error={error} loading={loading} onRetry={retry} />}

      {body()}

      {deleting && (
        <DeleteScheduleDialog
          schedule={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={(name) => {
            setDeleting(null);
            setFocusTarget({ kind: 'new' });
            announce(`Deleted ${name}.`);
          }}
        />
      )}
      {remembering && (
        <RememberPasswordDialog
          schedule={remembering}
          onClose={() => setRemembering(null)}
          onRemembered={(backup) => {
            setRemembering(null);
            announce(`Remembered the password of ${backup}.`);
            void load();
          }}
        />
      )}
    </div>
  );

  function body() {
    if (schedules?.length) {
      return (
        <ul className="sch-list" aria-label="Schedules">
          {schedules.map((s) => (
            <li key={s.name}>
              <ScheduleCard
                schedule={s}
                paused={shownPaused}
                onRunNow={(name) =>
                  void runNow(name).then((jobId) => {
                    if (jobId) go('activity');
                  })
                }
                onEdit={(schedule) => setEditing({ mode: 'edit', schedule })}
                onDelete={setDeleting}
                onRememberPassword={setRemembering}
              />
            </li>
          ))}
        </ul>
      );
    }
    if (schedules) {
      return (
        <StatePanel kind="empty" title="No schedules yet">
          <p className="muted">A schedule backs up volumes on its own — every hour, every night or on the days you choose — and keeps only the versions you need.</p>
          <button type="button" className="button" onClick={openNew}>
            Create a schedule
          </button>
        </StatePanel>
      );
    }
    if (error) {
      return <ListErrorPanel what="schedules" error={error} loading={loading} onRetry={retry} />;
    }
    return <StatePanel kind="loading" title="Loading schedules…" />;
  }
}
