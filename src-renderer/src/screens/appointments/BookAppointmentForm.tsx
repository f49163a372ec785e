import { type FormEvent, useEffect, useState } from 'react';
import type { Appointment, PatientSummary } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert, SelectField, TextField, useFormState } from '../../components/form';
import { ageSex } from '../queue/labels';
import { DateField } from '../schedule/DateField';
import { clinicTomorrow } from '../schedule/dates';
import { doctorLabel, useDoctors } from '../schedule/useDoctors';
import { SlotPicker } from './SlotPicker';
import './appointments.css';

/** Book an appointment for a patient (doctor, day, free slot, reason). Used from the
 *  reception patient panel. */
export interface BookAppointmentFormProps {
  patient: PatientSummary;
  onDone: (appointment: Appointment) => void;
  onCancel: () => void;
  /** Optional: the doctor to start with (the appointments screen passes its current one). */
  initialDoctorId?: string | undefined;
}

const SHOWN = ['doctorId', 'date', 'start', 'reason'];

function useBooking(
  patient: PatientSummary,
  onDone: BookAppointmentFormProps['onDone'],
  initialDoctorId?: string,
) {
  const { doctors, error: doctorsError } = useDoctors();
  const [doctorId, setDoctorId] = useState(initialDoctorId ?? '');
  const [date, setDate] = useState(clinicTomorrow);
  const [start, setStart] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [refreshKey, setRefreshKey] = useState(0);
  const form = useFormState();

  useEffect(() => {
    if (doctorId === '' && doctors && doctors.length > 0) setDoctorId(doctors[0]?.id ?? '');
  }, [doctors, doctorId]);

  const chooseDoctor = (id: string) => {
    setDoctorId(id);
    setStart(null);
  };
  const chooseDate = (value: string) => {
    setDate(value);
    setStart(null);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    if (start === null) {
      form.setFields({ start: 'Choose a free slot' });
      return;
    }
    form.setBusy(true);
    const result = await call('appointments.book', {
      doctorId,
      patientId: patient.id,
      date,
      start,
      reason: reason.trim(),
    });
    form.setBusy(false);
    if (result.ok) {
      onDone(result.value);
      return;
    }
    form.showError(result.error, SHOWN);
    // "Correct the fields below" would mislead: nothing was wrong when the form was filled.
    if (result.error.code === 'CONFLICT') form.setSummary(summaryOf(result.error));
    if (result.error.code === 'CONFLICT' || result.error.fields?.start) {
      // Someone took the slot meanwhile: show the day as it is now.
      setStart(null);
      setRefreshKey((k) => k + 1);
    }
  }

  return {
    doctors,
    doctorsError,
    doctorId,
    chooseDoctor,
    date,
    chooseDate,
    start,
    setStart,
    reason,
    setReason,
    refreshKey,
    form,
    submit,
  };
}

export function BookAppointmentForm({
  patient,
  onDone,
  onCancel,
  initialDoctorId,
}: BookAppointmentFormProps) {
  const b = useBooking(patient, onDone, initialDoctorId);
  const { form } = b;
  const doctorOptions = [
    ...(b.doctorId === '' ? [{ value: '', label: 'Choose a doctor' }] : []),
    ...(b.doctors ?? []).map((d) => ({ value: d.id, label: doctorLabel(d) })),
  ];
  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={b.submit}
      noValidate
      aria-labelledby="book-title"
      data-testid="book-form"
    >
      <h2 id="book-title">Book an appointment for {patient.name}</h2>
      <p className="muted">
        <span className="mono">{patient.patientNumber}</span> · {ageSex(patient.ageYears, patient.sex)}
      </p>
      <FormAlert message={form.summary ?? b.doctorsError} testId="book-error" />
      {b.doctors !== null && b.doctors.length === 0 ? (
        <p className="alert alert-warning">There are no active doctors to book with.</p>
      ) : null}
      <div className="grid-2">
        <SelectField
          label="Doctor"
          value={b.doctorId}
          options={doctorOptions}
          onChange={b.chooseDoctor}
          error={form.fields.doctorId}
        />
        <DateField label="Date" value={b.date} onChange={b.chooseDate} error={form.fields.date} />
      </div>
      <SlotPicker
        doctorId={b.doctorId}
        date={b.date}
        value={b.start}
        onChange={b.setStart}
        error={form.fields.start}
        refreshKey={b.refreshKey}
      />
      <TextField label="Reason" value={b.reason} onChange={b.setReason} error={form.fields.reason} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Booking…' : 'Book appointment'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
