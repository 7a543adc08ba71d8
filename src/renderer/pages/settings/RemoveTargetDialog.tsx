import { useRef, useState } from 'react';
import type { TargetDto } from '../../../shared/api/dto.ts';
import { useSettingsStore } from '../../state/settings-store.ts';
import { Dialog } from '../../components/Dialog.tsx';

interface Props {
  target: TargetDto;
  onClose(): void;
  onRemoved(name: string): void;
  fallbackFocus(): HTMLElement | null;
}

/** Asks before removing a target; its backups stay where they are. */
export function RemoveTargetDialog({ target, onClose, onRemoved, fallbackFocus }: Props) {
  const remove = useSettingsStore((s) => s.remove);
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);

  const confirm = async () => {
    if (removing) return;
    setRemoving(true);
    setError(null);
    try {
      await remove(target.name);
      onRemoved(target.name);
    } catch (err) {
      setError((err as Error).message);
      setRemoving(false);
    }
  };

  return (
    <Dialog
      title={`Remove ${target.name}?`}
      onClose={onClose}
      busy={removing}
      initialFocus={() => cancelButton.current}
      fallbackFocus={fallbackFocus}
      footer={
        <>
          <p className="dialog-message" role="alert">
            {error ?? ''}
          </p>
          <button ref={cancelButton} type="button" className="button" onClick={onClose} disabled={removing}>
            Cancel
          </button>
          <button type="button" className="button settings-button-danger" onClick={() => void confirm()} aria-disabled={removing || undefined}>
            {removing ? 'Removing…' : 'Remove target'}
          </button>
        </>
      }
    >
      <div className="settings-confirm-text">
        <p>
          DVOM forgets this storage target
          {target.type === 's3' && target.settings.hasSecret ? ' and deletes its secret key from the keychain' : ''}. The backups stored in{' '}
          <span className="settings-location">{target.location}</span> are not deleted: add the target again to reach them.
        </p>
        {target.isDefault && <p>It is the default target: new backups will go to the local store on this computer.</p>}
      </div>
    </Dialog>
  );
}
