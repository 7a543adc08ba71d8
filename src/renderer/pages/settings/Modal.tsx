import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  /** The id of the dialog's heading, which names it. */
  labelledBy: string;
  describedBy?: string;
  className?: string;
  /** Escape (or the browser's close gesture) asks to close. */
  onDismiss(): void;
  /** While true, Escape does nothing (e.g. while saving). */
  busy?: boolean;
  /** Focused when the dialog opens; else the first focusable element. */
  initialFocus?(): HTMLElement | null;
  /** Focused when the dialog goes away and the element that opened it is gone. */
  fallbackFocus?(): HTMLElement | null;
  children: ReactNode;
}

/**
 * A modal <dialog>: the browser keeps focus inside it and the rest of the
 * page inert. Mount it to open it, unmount it to close it; the focus goes
 * back to whatever opened it.
 */
export function Modal({ labelledBy, describedBy, className, onDismiss, busy = false, initialFocus, fallbackFocus, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const dismiss = useRef(onDismiss);
  const isBusy = useRef(busy);
  const fallback = useRef(fallbackFocus);
  useEffect(() => {
    dismiss.current = onDismiss;
    isBusy.current = busy;
    fallback.current = fallbackFocus;
  });

  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    initialFocus?.()?.focus();
    const onCancel = (event: Event) => {
      event.preventDefault();
      if (!isBusy.current) dismiss.current();
    };
    // Should the browser close it anyway (a second Escape), the owner still hears of it.
    const onClose = () => dismiss.current();
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onClose);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      const target = opener?.isConnected && !(opener as HTMLButtonElement).disabled ? opener : fallback.current?.();
      target?.focus();
    };
    // Opens once per mount; the latest callbacks are read through refs.
  }, []);

  return (
    <dialog ref={ref} className={`settings-dialog ${className ?? ''}`} aria-labelledby={labelledBy} aria-describedby={describedBy}>
      {children}
    </dialog>
  );
}
