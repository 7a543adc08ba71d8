import { useState } from 'react';
import type { LockDto } from '../../../shared/api/dto.ts';
import { formatDate } from '../../../shared/format.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { friendlyError } from './errors.ts';

interface Props {
  backup: string;
  /** Removes stale locks (and live ones when `force`); resolves with what is left. */
  onUnlock(force: boolean): Promise<{ removed: number; live: LockDto[] }>;
  /** Called once nothing is left to do, with how many locks went. */
  onDone(removed: number): void;
  onClose(): void;
}

/**
 * Removes locks left by a backup or restore that crashed or lost its store.
 * Locks still in use are listed and removed only on a second, explicit click:
 * removing the lock of a running backup lets a prune delete what it writes.
 */
export function UnlockDialog({ backup, onUnlock, onDone, onClose }: Props) {
  const [live, setLive] = useState<LockDto[] | null>(null);
  const [removedSoFar, setRemovedSoFar] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const force = live !== null;

  async function submit() {
    setBusy(true);
    setError(null);
    try {
      const result = await onUnlock(force);
      const removed = removedSoFar + result.removed;
      if (result.live.length) {
        setRemovedSoFar(removed);
        setLive(result.live);
        setBusy(false);
      } else {
        onDone(removed);
      }
    } catch (err) {
      setBusy(false);
      setError(friendlyError(err));
    }
  }

  return (
    <Dialog
      title={force ? `Backup ${backup} is still in use` : `Unlock backup ${backup}?`}
      onClose={onClose}
      busy={busy}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy} data-autofocus>
            Cancel
          </button>
          <button type="submit" className={force ? 'button br-button-danger' : 'button'} disabled={busy}>
            {busy ? 'Removing…' : force ? 'Remove anyway' : 'Remove stale locks'}
          </button>
        </>
      }
    >
      {force ? (
        <>
          <ul className="dialog-text">
            {live.map((l, i) => (
              <li key={i}>
                {l.operation} on <strong>{l.host}</strong> (process {l.pid}), since {formatDate(l.createdAt)}
              </li>
            ))}
          </ul>
          <p className="dialog-text">
            Remove {live.length === 1 ? 'this lock' : 'these locks'} only if that process is gone for good. If it is still running, a
            prune could delete the data it is writing.
          </p>
        </>
      ) : (
        <p className="dialog-text">
          This removes locks left by a backup or restore that crashed or lost its connection to the store. Locks still in use are
          kept.
        </p>
      )}
      <p className="br-field-error" role="alert">
        {error ?? ''}
      </p>
    </Dialog>
  );
}
