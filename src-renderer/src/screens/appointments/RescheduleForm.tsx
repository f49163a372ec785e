import { type FormEvent, useState } from 'react';
import type { Appointment } from '../../../../src-shared/types';
import { call, summaryOf } from '../../api';
import { FormAlert, SelectField, useFormState } from '../../components/form';
import { DateField } from '../schedule/DateField';
import { longDate } from '../schedule/dates';
import { doctorLabel, useDoctors } from '../schedule/useDoctors';
import { SlotPicker } from './SlotPicker';

interface RescheduleFormProps {
  appointment: Appointment;
  onDone: (appointment: Appointment) => void;
  onCancel: () => void;
}

const SHOWN = ['doctorId', 'date', 'start'];

/** Move a booked appointment to another free slot, with the same or another doctor. */
export function RescheduleForm({ appointment, onDone, onCancel }: RescheduleFormProps) {
  const { doctors } = useDoctors();
  const [doctorId, setDoctorId] = useState(appointment.doctorId);
  const [date, setDate] = useState(appointment.date);
  const [start, setStart] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const form = useFormState();
  const options = (doctors ?? []).map((d) => ({ value: d.id, label: doctorLabel(d) }));
  if (!options.some((o) => o.value === appointment.doctorId)) {
    options.unshift({ value: appointment.doctorId, label: appointment.doctorName });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.clear();
    if (start === null) {
      form.setFields({ start: 'Choose the new slot' });
      return;
    }
    form.setBusy(true);
    const result = await call('appointments.reschedule', { id: appointment.id, doctorId, date, start });
    form.setBusy(false);
    if (result.ok) {
      onDone(result.value);
      return;
    }
    form.showError(result.error, SHOWN);
    if (result.error.code === 'CONFLICT') form.setSummary(summaryOf(result.error));
    setStart(null);
    setRefreshKey((k) => k + 1);
  }

  return (
    <form
      ref={form.ref}
      className="card form-card"
      onSubmit={submit}
      noValidate
      aria-labelledby="reschedule-title"
      data-testid="reschedule-form"
    >
      <h2 id="reschedule-title">Reschedule {appointment.patientName}</h2>
      <p className="muted">
        Now: {longDate(appointment.date)} at {appointment.start} with {appointment.doctorName}
      </p>
      <FormAlert message={form.summary} testId="reschedule-error" />
      <div className="grid-2">
        <SelectField
          label="Doctor"
          value={doctorId}
          options={options}
          onChange={(id) => {
            setDoctorId(id);
            setStart(null);
          }}
          error={form.fields.doctorId}
        />
        <DateField
          label="New date"
          value={date}
          onChange={(value) => {
            setDate(value);
            setStart(null);
          }}
          error={form.fields.date}
        />
      </div>
      <SlotPicker
        doctorId={doctorId}
        date={date}
        value={start}
        onChange={setStart}
        error={form.fields.start}
        refreshKey={refreshKey}
      />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={form.busy}>
          {form.busy ? 'Moving…' : 'Move appointment'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Keep as it is
        </button>
      </div>
    </form>
  );
}
