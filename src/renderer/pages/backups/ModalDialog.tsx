import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';
import './dialogs.css';

interface Props {
  title: string;
  children: ReactNode;
  /** Escape and Cancel; ignored while `busy`. */
  onClose(): void;
  busy?: boolean;
  /** Narrow dialogs for a question or a password; wide for more. */
  size?: 'narrow' | 'wide';
}

/**
 * A modal dialog on the native <dialog> element: the browser traps focus,
 * closes on Escape and makes the rest of the page inert. Focus goes to the
 * first control inside (put Cancel first in destructive dialogs) and returns
 * to where it was when the dialog closes.
 */
export function ModalDialog({ title, children, onClose, busy = false, size = 'narrow' }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`br-modal br-modal-${size}`}
      aria-labelledby={titleId}
      aria-busy={busy || undefined}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id={titleId} className="br-modal-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
