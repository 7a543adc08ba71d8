import { useState } from 'react';
import { formatBytes, plural } from '../../../shared/format.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { friendlyError } from './errors.ts';

interface Props {
  backup: string;
  /** What reclaiming would free, measured just before (the engine's own prune plan). */
  estimate: { bytesToFree: number; packsSpared: number };
  /** Reclaims the space; resolves with what was freed, rejects with the API error (shown here). */
  onReclaim(): Promise<number>;
  onClose(): void;
}

/** "Reclaim space" (prune): removes stored data no version uses, after saying how much that frees. */
export function ReclaimDialog({ backup, estimate, onReclaim, onClose }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nothing = estimate.bytesToFree === 0;

  async function submit() {
    if (nothing) return onClose();
    setBusy(true);
    setError(null);
    try {
      await onReclaim();
    } catch (err) {
      setBusy(false);
      setError(friendlyError(err));
    }
  }

  return (
    <Dialog
      title={nothing ? `Nothing to reclaim in ${backup}` : `Reclaim space in ${backup}?`}
      onClose={onClose}
      busy={busy}
      onSubmit={() => void submit()}
      footer={
        nothing ? (
          <button type="submit" className="button button-primary" data-autofocus>
            OK
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose} disabled={busy} data-autofocus>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Reclaiming…' : `Free ${formatBytes(estimate.bytesToFree)}`}
            </button>
          </>
        )
      }
    >
      <p className="dialog-text">
        {nothing
          ? 'Every piece of stored data is still used by a version.'
          : `This removes ${formatBytes(estimate.bytesToFree)} of stored data that no version uses any more (left by deleted versions or an interrupted backup). Every version stays restorable.`}
      </p>
      {estimate.packsSpared > 0 && (
        <p className="dialog-text">
          {plural(estimate.packsSpared, 'recent piece')} of data may belong to a backup still running elsewhere; they are kept and a later
          reclaim frees them.
        </p>
      )}
      <p className="br-field-error" role="alert">
        {error ?? ''}
      </p>
    </Dialog>
  );
}
