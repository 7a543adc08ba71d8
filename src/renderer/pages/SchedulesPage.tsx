import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ScheduleStatus } from '../../shared/schedule.ts';
import { PageHeader } from '../components/PageHeader.tsx';
import { StatePanel } from '../components/StatePanel.tsx';
import { useNavigation } from '../state/navigation-store.ts';
import { useSchedulesStore } from '../state/schedules-store.ts';
import { DeleteScheduleDialog } from './schedules/DeleteScheduleDialog.tsx';
import { RememberPasswordDialog } from './schedules/RememberPasswordDialog.tsx';
import { ScheduleCard } from './schedules/ScheduleCard.tsx';
import { ScheduleEditor } from './schedules/ScheduleEditor.tsx';
import { Toggle } from './schedules/Toggle.tsx';
import './schedules/schedules.css';

/** How long a "Saved …" line stays in the header. */
const ANNOUNCE_MS = 6000;

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
  const [message, setMessage] = useState<string | null>(null);
  const [focusTarget, setFocusTarget] = useState<FocusTarget | null>(null);
  const timer = useRef<number | undefined>(undefined);
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const unwatch = watch();
    void load();
    return () => {
      unwatch();
      window.clearTimeout(timer.current);
    };
  }, [load, watch]);

  const announce = (text: string) => {
    window.clearTimeout(timer.current);
    setMessage(text);
    timer.current = window.setTimeout(() => setMessage(null), ANNOUNCE_MS);
  };

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
          <Toggle
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

      {schedules && error && (
        <div className="banner banner-error" role="alert">
          <p>Could not refresh the list: {error}</p>
          <button type="button" className="button" onClick={retry} disabled={loading}>
            Retry
          </button>
        </div>
      )}

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
      return (
        <StatePanel kind="error" title="Cannot list schedules">
          <p className="error-message">{error}</p>
          <button type="button" className="button button-primary" onClick={retry} disabled={loading}>
            Retry
          </button>
        </StatePanel>
      );
    }
    return <StatePanel kind="loading" title="Loading schedules…" />;
  }
}
