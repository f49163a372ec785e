import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { AppError } from '../../../src-shared/result';
import { summaryOf } from '../api';

/** Field errors keyed by main's dot paths ('doctor.registrationNumber'). */
export type FieldErrors = Record<string, string>;

interface FieldShellProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (ids: { id: string; describedBy: string | undefined }) => ReactNode;
}

function FieldShell({ label, error, hint, children }: FieldShellProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy })}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
      {hint ? (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      ) : null}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  type?: 'text' | 'password' | 'number' | 'tel';
  autoComplete?: string;
  autoFocus?: boolean;
  required?: boolean;
  min?: number;
  max?: number;
  inputMode?: 'numeric' | 'tel' | 'text';
  testId?: string;
}

export function TextField(props: TextFieldProps) {
  const { label, value, onChange, error, hint, type = 'text', testId } = props;
  return (
    <FieldShell label={label} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <input
          id={id}
          type={type}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          autoComplete={props.autoComplete ?? 'off'}
          // biome-ignore lint/a11y/noAutofocus: each screen has one obvious first field
          autoFocus={props.autoFocus}
          required={props.required}
          min={props.min}
          max={props.max}
          inputMode={props.inputMode}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          data-testid={testId}
        />
      )}
    </FieldShell>
  );
}

interface TextAreaFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
}

export function TextAreaField({ label, value, onChange, error, hint }: TextAreaFieldProps) {
  return (
    <FieldShell label={label} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <textarea
          id={id}
          value={value}
          rows={3}
          onChange={(event) => onChange(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
      )}
    </FieldShell>
  );
}

interface SelectFieldProps<V extends string> {
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
  error?: string | undefined;
}

export function SelectField<V extends string>({
  label,
  value,
  options,
  onChange,
  error,
}: SelectFieldProps<V>) {
  return (
    <FieldShell label={label} error={error}>
      {({ id, describedBy }) => (
        <select
          id={id}
          value={value}
          onChange={(event) => onChange(event.target.value as V)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        >
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

/** A message about the whole form, announced to screen readers when it appears. */
export function FormAlert({ message, testId }: { message: string | null; testId?: string }) {
  if (!message) return null;
  return (
    <div role="alert" className="alert alert-error" data-testid={testId}>
      {message}
    </div>
  );
}

/**
 * Splits an error from main into messages beside known fields and one summary line. Field
 * messages for fields this form does not show go into the summary, so nothing is lost.
 */
export function splitError(
  error: AppError,
  shown: readonly string[],
): { fields: FieldErrors; summary: string } {
  const fields: FieldErrors = {};
  const orphans: string[] = [];
  for (const [path, message] of Object.entries(error.fields ?? {})) {
    if (shown.includes(path)) fields[path] = message;
    else orphans.push(message);
  }
  if (Object.keys(fields).length > 0 && orphans.length === 0) {
    return { fields, summary: 'Please correct the fields marked below.' };
  }
  return { fields, summary: orphans.length > 0 ? orphans.join(' ') : summaryOf(error) };
}

/**
 * Busy flag, field errors and summary for one form; prevents double submission. Attach
 * `ref` to the form so keyboard users land on the first field that needs fixing.
 */
export function useFormState() {
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<FieldErrors>({});
  const [summary, setSummary] = useState<string | null>(null);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (Object.keys(fields).length === 0) return;
    ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [fields]);
  const clear = () => {
    setFields({});
    setSummary(null);
  };
  const showError = (error: AppError, shown: readonly string[]) => {
    const split = splitError(error, shown);
    setFields(split.fields);
    setSummary(split.summary);
  };
  return { ref, busy, setBusy, fields, setFields, summary, setSummary, clear, showError };
}
