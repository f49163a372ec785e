import { type ReactNode, useId } from 'react';
import './components.css';

interface DisclosureProps {
  label: string;
  open: boolean;
  onToggle: () => void;
  children: ReactNode;
  hint?: string;
}

/** A button that shows or hides a section; the section is not rendered while closed. */
export function Disclosure({ label, open, onToggle, children, hint }: DisclosureProps) {
  const id = useId();
  return (
    <div className="disclosure">
      <button
        type="button"
        className="disclosure-toggle"
        aria-expanded={open}
        aria-controls={id}
        onClick={onToggle}
      >
        <span aria-hidden="true" className="disclosure-mark">
          {open ? '▾' : '▸'}
        </span>
        {label}
        {hint ? <span className="muted disclosure-hint">{hint}</span> : null}
      </button>
      {open ? (
        <div id={id} className="disclosure-body">
          {children}
        </div>
      ) : null}
    </div>
  );
}
