import { type FormEvent, type KeyboardEvent, useEffect, useState } from 'react';
import type { PatientInputDraft } from '../../../../src-shared/patient';
import type { AppError } from '../../../../src-shared/result';
import { Disclosure } from '../../components/Disclosure';
import { FormAlert, useFormState } from '../../components/form';
import { BystanderInsuranceFields, EmergencyContactFields, MedicoLegalNotesFields } from './ContactFields';
import { AddressFields, HealthFields, IdentityFields } from './IdentityHealthFields';
import { PatientEssentials } from './PatientEssentials';
import {
  hasDetailError,
  localProblems,
  type PatientValues,
  type PreparedInput,
  prepare,
  shownPaths,
  toScreenPaths,
} from './patientValues';
import './reception.css';

/**
 * The form's state and its conversation with main, kept apart from the markup so that
 * registration (with its duplicate prompt) and correction can drive it the same way.
 */
export function usePatientForm(initial: () => PatientValues) {
  const [start] = useState<PatientValues>(initial);
  const [values, setValues] = useState<PatientValues>(start);
  const dirty = values !== start && JSON.stringify(values) !== JSON.stringify(start);
  const form = useFormState();
  const [lastSent, setLastSent] = useState<PreparedInput | null>(null);

  /** The input to send, or null after showing what cannot be converted. */
  const begin = (): PreparedInput | null => {
    form.clear();
    const prepared = prepare(values);
    if ('errors' in prepared) {
      form.setFields(prepared.errors);
      form.setSummary(countSummary(Object.keys(prepared.errors).length));
      return null;
    }
    setLastSent(prepared);
    return prepared;
  };

  /** Shows main's refusal beside the fields, completed with the checks main did not reach. */
  const fail = (error: AppError, sent: PreparedInput | null = lastSent) => {
    if (error.code !== 'VALIDATION' || !sent) {
      form.showError(error, []);
      return;
    }
    const fromMain = toScreenPaths(error.fields ?? {}, sent.rows);
    const local = toScreenPaths(localProblems(sent.input), sent.rows);
    form.showError({ ...error, fields: { ...local, ...fromMain } }, shownPaths(values), { count: true });
  };

  return { values, setValues, dirty, form, begin, fail };
}

export type PatientFormState = ReturnType<typeof usePatientForm>;

function countSummary(n: number): string {
  return n === 1 ? '1 field needs attention.' : `${n} fields need attention.`;
}

/** Lists and check boxes do not submit on Enter by themselves; in this form they do. */
function submitsOnEnter(target: EventTarget): boolean {
  if (target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox');
}

const ESC_WINDOW_MS = 3000;

/** Escape cancels an untouched form at once; with typing in it, a second Escape is needed. */
function useEscapeToCancel(dirty: boolean, busy: boolean, onCancel: () => void) {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const timer = window.setTimeout(() => setArmed(false), ESC_WINDOW_MS);
    return () => window.clearTimeout(timer);
  }, [armed]);
  const handle = (event: KeyboardEvent) => {
    if (busy) return;
    event.preventDefault();
    if (!dirty || armed) onCancel();
    else setArmed(true);
  };
  return Object.assign(handle, { armed });
}

interface PatientFormProps {
  state: PatientFormState;
  title: string;
  submitLabel: string;
  /** The masked Aadhaar on record, when correcting. */
  maskedNationalId: string | null;
  detailsOpenAtStart: boolean;
  onSubmit: (input: PatientInputDraft, sent: PreparedInput) => void;
  onCancel: () => void;
}

/**
 * Keyboard-first: the walk-in essentials come first, the rest sits under "More details".
 * Enter in any single-line field saves (the browser's implicit submission; the tag boxes
 * take Enter for themselves), Escape cancels.
 */
export function PatientForm({ state, title, submitLabel, maskedNationalId, ...props }: PatientFormProps) {
  const { values, setValues, form } = state;
  const [moreOpen, setMoreOpen] = useState(props.detailsOpenAtStart);
  const detailsShown = moreOpen || hasDetailError(form.fields);
  const section = { values, update: setValues, errors: form.fields };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (form.busy) return;
    const sent = state.begin();
    if (sent) props.onSubmit(sent.input, sent);
  };
  const onEscape = useEscapeToCancel(state.dirty, form.busy, props.onCancel);
  const onKeyDown = (event: KeyboardEvent<HTMLFormElement>) => {
    if (event.key === 'Escape') onEscape(event);
    else if (event.key === 'Enter' && submitsOnEnter(event.target)) {
      event.preventDefault();
      event.currentTarget.requestSubmit();
    }
  };

  return (
    <form
      ref={form.ref}
      className="card form-card patient-form"
      onSubmit={submit}
      onKeyDown={onKeyDown}
      noValidate
      aria-labelledby="patient-form-title"
    >
      <h2 id="patient-form-title">{title}</h2>
      <FormAlert message={form.summary} testId="patient-form-error" />
      <PatientEssentials {...section} autoFocus />
      <Disclosure
        label="More details"
        hint="address, Aadhaar, health, contacts, insurance, medico-legal, notes"
        open={detailsShown}
        onToggle={() => setMoreOpen(!detailsShown)}
      >
        <AddressFields {...section} />
        <IdentityFields {...section} masked={maskedNationalId} />
        <HealthFields {...section} />
        <EmergencyContactFields {...section} />
        <BystanderInsuranceFields {...section} />
        <MedicoLegalNotesFields {...section} />
      </Disclosure>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : submitLabel}
        </button>
        <button type="button" className="btn btn-quiet" onClick={props.onCancel}>
          Cancel
        </button>
        <span className="muted keys-hint" role="status" data-testid="patient-form-keys">
          {onEscape.armed ? 'Press Esc again to discard what you typed.' : 'Enter saves · Esc cancels'}
        </span>
      </div>
    </form>
  );
}
