import { type ReactNode, useEffect, useId, useRef } from 'react';
import './components.css';

interface DialogProps {
  title: string;
  children: ReactNode;
  /** Escape or the close control: the dialog's "back" action. */
  onClose: () => void;
  testId?: string;
}

/**
 * A modal dialog on the native <dialog> element: the browser traps focus, puts it on top
 * of everything and closes on Escape, with no script of ours deciding any of that.
 */
export function Dialog({ title, children, onClose, testId }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog card"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      data-testid={testId}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
