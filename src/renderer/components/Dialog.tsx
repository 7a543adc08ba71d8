import { useEffect, useId, useLayoutEffect, useRef, type ReactNode } from 'react';
import './Dialog.css';

interface Props {
  /** Shown as the heading; the dialog's accessible name. */
  title: string;
  /** A sentence under the title; the dialog's accessible description. */
  description?: ReactNode;
  /** Called on Escape and on the close button. */
  onClose(): void;
  /** While true (e.g. during a request), Escape and the close button do nothing. */
  busy?: boolean;
  /** What gets focus on open; else the first `[data-autofocus]`, else the dialog itself. */
  initialFocus?(): HTMLElement | null;
  /** Gets focus on close when the opener is gone or disabled (e.g. the item it belonged to was removed). */
  fallbackFocus?(): HTMLElement | null;
  /** Buttons at the bottom (the primary one last). */
  footer?: ReactNode;
  /** Wraps body and footer in a <form> with this submit handler (Enter submits). */
  onSubmit?: () => void;
  width?: 'narrow' | 'wide';
  /** Extra class names, for a dialog's own layout. */
  className?: string;
  children: ReactNode;
}

const TABBABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
  '[contenteditable="true"]',
].join(',');

function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(TABBABLE)].filter(
    (el) => el.tabIndex >= 0 && !el.closest('[inert]') && el.getClientRects().length > 0,
  );
}

/**
 * A modal dialog: rendered when open, closed by unmounting. The rest of the
 * page is inert while it is shown (native <dialog> in the top layer), Tab
 * cycles inside it, Escape closes it, it is named by its title, and focus goes
 * back to where it was when it closes. Clicking the backdrop does nothing, so
 * a half-filled form is never lost by a stray click.
 */
export function Dialog({ title, description, onClose, busy = false, initialFocus, fallbackFocus, footer, onSubmit, width = 'narrow', className, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  // The latest props for the native event handlers, which are attached once.
  const latest = useRef({ onClose, busy, fallbackFocus });
  useLayoutEffect(() => {
    latest.current = { onClose, busy, fallbackFocus };
  });

  useLayoutEffect(() => {
    const dialog = ref.current!;
    const opener = dialog.ownerDocument.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    const target = initialFocus?.() ?? dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog;
    target.focus();

    const onCancel = (event: Event) => {
      // Escape: the page decides (it unmounts the dialog), never the browser.
      event.preventDefault();
      if (!latest.current.busy) latest.current.onClose();
    };
    const onNativeClose = () => {
      // Closed by the browser anyway (e.g. a second Escape): keep the page in step. The close
      // event comes a task later: when the dialog is open again by then (React's development
      // remount), it was not the user.
      if (!dialog.open) latest.current.onClose();
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
      if (dialog.open) dialog.close();
      const back = opener?.isConnected && !(opener as HTMLButtonElement).disabled ? opener : latest.current.fallbackFocus?.();
      if (typeof back?.focus === 'function') back.focus();
    };
    // Opening happens once per mount; initialFocus is read only then.
  }, []);

  useEffect(() => {
    const dialog = ref.current!;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Tab' || event.defaultPrevented) return;
      const items = tabbables(dialog);
      if (!items.length) {
        event.preventDefault();
        dialog.focus();
        return;
      }
      const first = items[0]!;
      const last = items[items.length - 1]!;
      const active = dialog.ownerDocument.activeElement;
      const outside = !active || active === dialog || !dialog.contains(active);
      if (event.shiftKey && (active === first || outside)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || outside)) {
        event.preventDefault();
        first.focus();
      }
    };
    dialog.addEventListener('keydown', onKeyDown);
    return () => dialog.removeEventListener('keydown', onKeyDown);
  }, []);

  const content = (
    <>
      <div className="dialog-body">{children}</div>
      {footer && <div className="dialog-footer">{footer}</div>}
    </>
  );

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${width}${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      aria-busy={busy || undefined}
      aria-describedby={description ? descriptionId : undefined}
      tabIndex={-1}
    >
      <header className="dialog-header">
        <div className="dialog-heading">
          <h2 id={titleId} className="dialog-title" title={title}>
            {title}
          </h2>
          {description && (
            <p id={descriptionId} className="muted dialog-description">
              {description}
            </p>
          )}
        </div>
        <button type="button" className="dialog-close" aria-label="Close" title="Close (Esc)" onClick={onClose} disabled={busy}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
          </svg>
        </button>
      </header>
      {onSubmit ? (
        <form
          className="dialog-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            onSubmit();
          }}
        >
          {content}
        </form>
      ) : (
        content
      )}
    </dialog>
  );
}
