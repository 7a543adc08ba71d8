import { useRef, useState } from 'react';
import type { ScheduleStatus } from '../../../shared/schedule.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { useSchedulesStore } from '../../state/schedules-store.ts';

interface Props {
  schedule: ScheduleStatus;
  onClose(): void;
  onDeleted(name: string): void;
}

/** Asks before deleting a schedule; its backup and versions stay. */
export function DeleteScheduleDialog({ schedule, onClose, onDeleted }: Props) {
  const remove = useSchedulesStore((s) => s.remove);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await remove(schedule.name);
      onDeleted(schedule.name);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Delete ${schedule.name}?`}
      description={`No more backups run on this schedule. The backup “${schedule.backup}” and its versions stay: delete them on the Backups page if you no longer need them.`}
      onClose={onClose}
      busy={busy}
      initialFocus={() => cancelRef.current}
      footer={
        <>
          <p className="dialog-message" role="alert">
            {error ?? ''}
          </p>
          <button ref={cancelRef} type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="button sch-danger-solid" onClick={() => void confirm()} disabled={busy}>
            {busy ? 'Deleting…' : 'Delete schedule'}
          </button>
        </>
      }
    >
      <p className="muted small">
        {schedule.volumes.join(', ')} → {schedule.backup}
      </p>
    </Dialog>
  );
}
