import { type FormEvent, useState } from 'react';
import {
  type PatientSummary,
  PRIORITIES,
  type Priority,
  type VisitSummary,
} from '../../../../src-shared/types';
import { call } from '../../api';
import { FormAlert, SelectField, TextField, useFormState } from '../../components/form';
import { doctorLabel, useDoctors } from '../schedule/useDoctors';
import { ChoiceGroup } from './ChoiceGroup';
import { ageSex, PRIORITY_LABELS } from './labels';
import './queue.css';

/** Check a patient in (reason, doctor or next available, priority). Used from the reception
 *  patient panel. */
export interface CheckInFormProps {
  patient: PatientSummary;
  onDone: (visit: VisitSummary) => void;
  onCancel: () => void;
}

const SHOWN = ['reason', 'doctorId', 'priority'];
const NEXT_AVAILABLE = '';
const PRIORITY_OPTIONS = PRIORITIES.map((p) => ({
  value: p,
  label: PRIORITY_LABELS[p],
  className: `choice-${p}`,
}));

export function CheckInForm({ patient, onDone, onCancel }: CheckInFormProps) {
  const { doctors, error: doctorsError } = useDoctors();
  const [reason, setReason] = useState('');
  const [doctorId, setDoctorId] = useState(NEXT_AVAILABLE);
  const [priority, setPriority] = useState<Priority>('routine');
  const form = useFormState();
  const doctorOptions = [
    { value: NEXT_AVAILABLE, label: 'Next available doctor' },
    ...(doctors ?? []).map((d) => ({ value: d.id, label: doctorLabel(d) })),
  ];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    form.setBusy(true);
    const result = await call('visits.checkIn', {
      patientId: patient.id,
      doctorId: doctorId === NEXT_AVAILABLE ? null : doctorId,
      reason: reason.trim(),
      priority,
    });
    form.setBusy(false);
    if (result.ok) onDone(result.value);
    else form.showError(result.error, SHOWN);
  }

  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="check-in-title"
      data-testid="check-in-form"
    >
      <h2 id="check-in-title">Check in {patient.name}</h2>
      <p className="muted">
        <span className="mono">{patient.patientNumber}</span> · {ageSex(patient.ageYears, patient.sex)}
      </p>
      <FormAlert message={form.summary ?? doctorsError} testId="check-in-error" />
      <TextField
        label="Reason for visit"
        value={reason}
        onChange={setReason}
        error={form.fields.reason}
        hint="For example: fever for 3 days."
        autoFocus
      />
      <SelectField
        label="Doctor"
        value={doctorId}
        options={doctorOptions}
        onChange={setDoctorId}
        error={form.fields.doctorId}
      />
      <ChoiceGroup
        legend="Priority"
        name="check-in-priority"
        value={priority}
        options={PRIORITY_OPTIONS}
        onChange={setPriority}
        error={form.fields.priority}
      />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Checking in…' : 'Check in'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
