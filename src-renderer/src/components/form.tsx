import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { AppError } from '../../../src-shared/result';
import { summaryOf } from '../api';

/** Field errors keyed by main's dot paths ('doctor.registrationNumber'). */
export type FieldErrors = Record<string, string>;

interface FieldShellProps {
  label: string;
  className?: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (ids: { id: string; describedBy: string | undefined }) => ReactNode;
}

/** Label, hint and error around any control; for controls form.tsx does not offer itself. */
export function FieldShell({ label, className, error, hint, children }: FieldShellProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={[error ? 'field field-invalid' : 'field', className].filter(Boolean).join(' ')}>
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
  type?: 'text' | 'password' | 'number' | 'tel' | 'date';
  placeholder?: string;
  className?: string;
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
    <FieldShell label={label} error={error} hint={hint} className={props.className}>
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
          placeholder={props.placeholder}
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
  hint?: ReactNode;
  className?: string;
}

export function SelectField<V extends string>({
  label,
  value,
  options,
  onChange,
  error,
  hint,
  className,
}: SelectFieldProps<V>) {
  return (
    <FieldShell label={label} error={error} hint={hint} className={className}>
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
  options: { count?: boolean } = {},
): { fields: FieldErrors; summary: string } {
  const fields: FieldErrors = {};
  const orphans: string[] = [];
  for (const [path, message] of Object.entries(error.fields ?? {})) {
    if (shown.includes(path)) fields[path] = message;
    else orphans.push(message);
  }
  const marked = Object.keys(fields).length;
  if (options.count && marked > 0) {
    const head = marked === 1 ? '1 field needs attention.' : `${marked} fields need attention.`;
    return { fields, summary: [head, ...orphans].join(' ') };
  }
  if (marked > 0 && orphans.length === 0) {
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
  const showError = (error: AppError, shown: readonly string[], options: { count?: boolean } = {}) => {
    const split = splitError(error, shown, options);
    setFields(split.fields);
    setSummary(split.summary);
  };
  return { ref, busy, setBusy, fields, setFields, summary, setSummary, clear, showError };
}

interface CheckboxFieldProps {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: string | undefined;
  hint?: ReactNode;
}

export function CheckboxField({ label, checked, onChange, error, hint }: CheckboxFieldProps) {
  const id = useId();
  const errorId = error ? `${id}-error` : undefined;
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={error ? 'field field-check field-invalid' : 'field field-check'}>
      <label htmlFor={id} className="check-label">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          onChange={(event) => onChange(event.target.checked)}
          aria-invalid={error ? true : undefined}
          aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        />
        {label}
      </label>
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

interface ChoiceFieldProps<V extends string> {
  legend: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
  error?: string | undefined;
}

/** A small set of radio buttons in a fieldset; arrow keys move between them natively. */
export function ChoiceField<V extends string>({
  legend,
  value,
  options,
  onChange,
  error,
}: ChoiceFieldProps<V>) {
  const name = useId();
  return (
    <fieldset className={error ? 'choice-field field-invalid' : 'choice-field'}>
      <legend>{legend}</legend>
      <div className="choice-field-options">
        {options.map((option) => (
          <label key={option.value} className="check-label">
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}
